"""placeholder"""


def stream(ctx):
    return ""
