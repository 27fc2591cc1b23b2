"""Two instances of the program's own component: same code, different settings."""

import pulumi
from serverless_api import ServerlessApi

english = ServerlessApi("english", "./app", "GET /count", {"VOWELS": "aeiou"})
welsh = ServerlessApi("welsh", "./app", "GET /count", {"VOWELS": "aeiouwy"})

pulumi.export("englishUrl", english.url)
pulumi.export("welshUrl", welsh.url)
