"""{"dividend", "divisor"} -> {"quotient", "remainder"}; a zero divisor raises (an Error the
alarm counts)."""


def handler(event, context):
    quotient, remainder = divmod(event["dividend"], event["divisor"])
    return {"quotient": quotient, "remainder": remainder}
