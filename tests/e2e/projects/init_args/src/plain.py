from kybra import query, text


@query
def hello() -> text:
    return "plain"
