"""{"numbers": [...]} -> {"sum": their sum, "count": how many}."""


def handler(event, context):
    numbers = event["numbers"]
    return {"sum": sum(numbers), "count": len(numbers)}
