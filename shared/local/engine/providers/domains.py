"""API Gateway (REST) custom domain names and their base path mappings on the emulator.

MiniStack 1.5.33 routes a request to a mapping by its Host header. Where it differs from AWS:
- It has no UpdateDomainName and no UpdateBasePathMapping ("Unknown API Gateway v1 path").
  The providers make the AWS calls and, only when the emulator answers that way, fall back to
  what the emulator does instead: CreateDomainName on an existing name overwrites it but drops
  its mappings, so those are read first and put back; CreateBasePathMapping on an existing base
  path overwrites it. On AWS both creates would be a ConflictException.
- A domain needs no certificate and a mapping's API and stage are not checked.
- `regionalDomainName` is `<domain>.execute-api.<region>.amazonaws.com` (AWS:
  `d-<id>.execute-api...`), and both the CloudFront and the regional names are returned whatever
  the endpoint type; AWS returns only the one of the domain's endpoint type.
- Tags given at creation and tags set later with TagResource are kept apart (GetDomainName shows
  only the first); the provider uses TagResource/UntagResource for changes, as on AWS.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.local.engine.providers.base import Context, Provider, drop_none, provides, replace_op

_NO_BASE_PATH = "(none)"


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    return ctx.client("apigateway", inputs.get("region"))


def _unsupported(error: ClientError) -> bool:
    """The emulator's answer to an API Gateway call it does not implement."""
    message = error.response.get("Error", {}).get("Message", "")
    return message.startswith("Unknown API Gateway v1 path")


def _endpoint_types(inputs: dict[str, Any]) -> list[str] | None:
    config = inputs.get("endpointConfiguration") or {}
    types = config.get("types")
    if not types:
        return None
    # pulumi-aws 7 takes one endpoint type as a string; the API takes a list.
    return [types] if isinstance(types, str) else list(types)


def _mutual_tls(inputs: dict[str, Any]) -> dict[str, Any] | None:
    config = inputs.get("mutualTlsAuthentication")
    if not config:
        return None
    return drop_none(
        truststoreUri=config.get("truststoreUri"), truststoreVersion=config.get("truststoreVersion")
    )


def domain_arn(ctx: Context, inputs: dict[str, Any], name: str) -> str:
    return f"arn:aws:apigateway:{inputs.get('region') or ctx.region}::/domainnames/{name}"


@provides
class DomainName(Provider):
    type_token = "aws:apigateway/domainName:DomainName"
    updatable = frozenset(
        {
            "certificateArn",
            "certificateName",
            "regionalCertificateArn",
            "regionalCertificateName",
            "securityPolicy",
            "endpointConfiguration",
            "tags",
        }
    )

    def create(self, ctx, want):
        i = want.inputs
        domain = self._create(_client(ctx, i), i, tags=i.get("tags") or None)
        return i["domainName"], self._outputs(ctx, i, domain)

    def _create(self, client, inputs, *, tags):
        types = _endpoint_types(inputs)
        return client.create_domain_name(
            **drop_none(
                domainName=inputs["domainName"],
                certificateArn=inputs.get("certificateArn"),
                certificateName=inputs.get("certificateName"),
                certificateBody=inputs.get("certificateBody"),
                certificateChain=inputs.get("certificateChain"),
                certificatePrivateKey=inputs.get("certificatePrivateKey"),
                regionalCertificateArn=inputs.get("regionalCertificateArn"),
                regionalCertificateName=inputs.get("regionalCertificateName"),
                endpointConfiguration={"types": types} if types else None,
                securityPolicy=inputs.get("securityPolicy"),
                mutualTlsAuthentication=_mutual_tls(inputs),
                ownershipVerificationCertificateArn=inputs.get(
                    "ownershipVerificationCertificateArn"
                ),
                policy=inputs.get("policy"),
                tags=tags,
            )
        )

    def _outputs(self, ctx, inputs, domain):
        return {
            "arn": domain_arn(ctx, inputs, domain["domainName"]),
            "cloudfrontDomainName": domain.get("distributionDomainName") or None,
            "cloudfrontZoneId": domain.get("distributionHostedZoneId") or None,
            "regionalDomainName": domain.get("regionalDomainName") or None,
            "regionalZoneId": domain.get("regionalHostedZoneId") or None,
            "securityPolicy": domain.get("securityPolicy") or None,
        }

    def update(self, ctx, have, want):
        old, new = have.inputs, want.inputs
        client = _client(ctx, new)
        ops = [
            replace_op(f"/{prop}", new.get(prop) or "")
            for prop in (
                "certificateArn",
                "certificateName",
                "regionalCertificateArn",
                "regionalCertificateName",
                "securityPolicy",
            )
            if old.get(prop) != new.get(prop)
        ]
        old_types, new_types = _endpoint_types(old), _endpoint_types(new)
        if old_types and new_types and old_types != new_types:
            # AWS changes an endpoint type by replacing the old type's entry with the new one.
            ops.append(replace_op(f"/endpointConfiguration/types/{old_types[0]}", new_types[0]))
        if ops:
            try:
                client.update_domain_name(domainName=have.id, patchOperations=ops)
            except ClientError as error:
                if not _unsupported(error):
                    raise
                self._recreate_keeping_mappings(client, have.id, new)
        old_tags, new_tags = old.get("tags") or {}, new.get("tags") or {}
        arn = domain_arn(ctx, new, have.id)
        if removed := [k for k in old_tags if k not in new_tags]:
            client.untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            client.tag_resource(resourceArn=arn, tags=new_tags)
        return self._outputs(ctx, new, client.get_domain_name(domainName=have.id))

    def _recreate_keeping_mappings(self, client, name, inputs):
        """The emulator-only path (see the module notes): overwrite, then restore mappings."""
        mappings = client.get_base_path_mappings(domainName=name, limit=500).get("items", [])
        self._create(client, inputs, tags=inputs.get("tags") or None)
        for mapping in mappings:
            base_path = mapping.get("basePath")
            client.create_base_path_mapping(
                **drop_none(
                    domainName=name,
                    restApiId=mapping["restApiId"],
                    stage=mapping.get("stage"),
                    basePath=None if base_path in (None, _NO_BASE_PATH) else base_path,
                )
            )

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_domain_name(domainName=have.id)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_domain_name(domainName=have.id)


@provides
class BasePathMapping(Provider):
    """A path of a custom domain mapped to an API stage; id `<domain>/<base path>`."""

    type_token = "aws:apigateway/basePathMapping:BasePathMapping"
    updatable = frozenset({"restApi", "stageName"})

    def create(self, ctx, want):
        i = want.inputs
        self._put(_client(ctx, i), i)
        base_path = i.get("basePath") or ""
        return f"{i['domainName']}/{base_path}", {"basePath": base_path}

    def _put(self, client, inputs):
        client.create_base_path_mapping(
            **drop_none(
                domainName=inputs["domainName"],
                restApiId=inputs["restApi"],
                stage=inputs.get("stageName"),
                basePath=inputs.get("basePath") or None,
            )
        )

    def update(self, ctx, have, want):
        old, new = have.inputs, want.inputs
        client = _client(ctx, new)
        ops = []
        if old.get("restApi") != new.get("restApi"):
            ops.append(replace_op("/restapiId", new["restApi"]))
        if old.get("stageName") != new.get("stageName"):
            ops.append(replace_op("/stage", new.get("stageName") or ""))
        try:
            client.update_base_path_mapping(
                domainName=new["domainName"], basePath=_path_key(new), patchOperations=ops
            )
        except ClientError as error:
            if not _unsupported(error):
                raise
            self._put(client, new)  # the emulator overwrites the mapping in place
        return {"basePath": new.get("basePath") or ""}

    def delete(self, ctx, have):
        _client(ctx, have.inputs).delete_base_path_mapping(
            domainName=have.inputs["domainName"], basePath=_path_key(have.inputs)
        )

    def read(self, ctx, have):
        return _client(ctx, have.inputs).get_base_path_mapping(
            domainName=have.inputs["domainName"], basePath=_path_key(have.inputs)
        )


def _path_key(inputs: dict[str, Any]) -> str:
    """How the API names a mapping: its base path, or "(none)" for the domain's root."""
    return inputs.get("basePath") or _NO_BASE_PATH
