"""IAM OpenID Connect identity providers on the emulator (GitHub Actions' token issuer is one).

IAM is global: the type takes no `region`. The provider's ARN is made of its URL's host and path
(`arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`), so an account has
at most one provider per URL and a replacement must delete the old one first (`identity`).
MiniStack 1.5.33 implements create, get, list and delete only (no client id, thumbprint or tag
updates), so every change replaces the provider; AWS would change those three in place.
"""

from __future__ import annotations

from shared.local.engine.live import live_inputs, same_set
from shared.local.engine.providers.base import (
    Context,
    Created,
    Desired,
    Immutable,
    Inputs,
    Outputs,
    drop_none,
    provides,
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import tag_list, tag_map


def provider_arn(account: str, url: str) -> str:
    """The ARN IAM gives the provider of `url` (its scheme dropped)."""
    return f"arn:aws:iam::{account}:oidc-provider/{url.removeprefix('https://').rstrip('/')}"


@provides
class OpenIdConnectProvider(Immutable):
    """Its id is its ARN, as in the AWS provider."""

    type_token = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    service = "iam"
    inputs = frozenset({"url", "clientIdLists", "thumbprintLists", "tags"})
    outputs = frozenset({"arn", "tagsAll"})
    identity = ("url",)

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        arn = self.client(ctx, i).create_open_id_connect_provider(
            **drop_none(
                Url=i["url"],
                ClientIDList=list(i.get("clientIdLists") or []),
                ThumbprintList=list(i.get("thumbprintLists") or []) or None,
                Tags=tag_list(i.get("tags")) or None,
            )
        )["OpenIDConnectProviderArn"]
        return Created(arn, self._outputs(arn, i))

    @staticmethod
    def _outputs(arn: str, inputs: Inputs) -> Outputs:
        return {"arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        self.client(ctx, have.inputs).delete_open_id_connect_provider(
            OpenIDConnectProviderArn=have.id
        )

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        i = have.inputs
        found = self.client(ctx, i).get_open_id_connect_provider(OpenIDConnectProviderArn=have.id)
        url = found["Url"]
        live: Inputs = {
            # IAM answers the URL without its scheme; the program gives it with one.
            "url": i["url"] if i.get("url", "").removeprefix("https://") == url else url,
            "clientIdLists": same_set(i.get("clientIdLists"), found.get("ClientIDList") or []),
            "thumbprintLists": same_set(
                i.get("thumbprintLists"), found.get("ThumbprintList") or []
            ),
            "tags": tag_map(found.get("Tags")),
        }
        return live_inputs(i, live, {"thumbprintLists": [], "tags": {}})

    def find(self, ctx: Context, want: Desired) -> str | None:
        arn = provider_arn(ctx.account_id, want.inputs["url"])
        client = self.client(ctx, want.inputs)
        found = self.lookup(client.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
        return None if found is None else arn
