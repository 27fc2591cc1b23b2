"""A stack's resources found on the emulator by their tags, for a stack whose state is missing.

Without its state the engine would create every resource anew, next to the copies the emulator
already holds. Resources tagged as the project's components tag every resource (`project` and
`environment`, see shared/components/naming.py) are found through the Resource Groups Tagging
API, which MiniStack answers for most services, and through API Gateway's own listings (its
APIs are not in that API). A program whose resources carry no such tags cannot be told apart.
"""

from __future__ import annotations

from shared.local.engine.providers.base import Context


def stack_tags(project: str, stack: str) -> dict[str, str]:
    return {"project": project, "environment": stack}


def tagged_resources(ctx: Context, tags: dict[str, str]) -> list[str]:
    """The ARN (or API id) of every resource in the context's region carrying all of `tags`."""
    found: list[str] = []
    tagging = ctx.client("resourcegroupstaggingapi")
    filters = [{"Key": k, "Values": [v]} for k, v in tags.items()]
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
        found += [r["ResourceARN"] for r in page.get("ResourceTagMappingList", [])]
    for api in ctx.client("apigateway").get_rest_apis(limit=500).get("items", []):
        if tags.items() <= (api.get("tags") or {}).items():
            found.append(f"arn:aws:apigateway:{ctx.region}::/restapis/{api['id']}")
    for api in ctx.client("apigatewayv2").get_apis().get("Items", []):
        if tags.items() <= (api.get("Tags") or {}).items():
            found.append(f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}")
    return sorted(set(found))
