"""Unit conversions shared through a Lambda layer (found under /opt/python)."""


def fahrenheit(celsius: float) -> float:
    return celsius * 9 / 5 + 32
