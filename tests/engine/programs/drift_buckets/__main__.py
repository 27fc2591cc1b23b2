"""A private bucket with every configuration the S3 provider applies, a second bucket named from
a prefix, and a zone with records and a certificate: what tests/engine/test_providers_drift.py
changes behind the engine's back.

name         unique label: the bucket's name, `<name>-p-...` for the prefixed one, and the zone
             `<name>.example.com`
versioning   Enabled (default) or Suspended: updates in place
ownership    object ownership, BucketOwnerPreferred (default; not S3's default, so a bucket
             recreated bare differs) or ObjectWriter: updates in place
expireDays   days before objects under logs/ expire (default 30): updates in place
ttl          TTL of the www record (default 300): updates in place
owner        the owner tag of the bucket, zone and certificate (default first): updates in place
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
label = config.require("name")
owner = config.get("owner") or "first"

bucket = aws.s3.Bucket("bucket", bucket=label, force_destroy=True, tags={"owner": owner})
prefixed = aws.s3.Bucket("prefixed", bucket_prefix=f"{label}-p-", force_destroy=True)

aws.s3.BucketPublicAccessBlock(
    "block",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "encryption",
    bucket=bucket.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
            "bucket_key_enabled": True,
        }
    ],
)
versioning = aws.s3.BucketVersioning(
    "versioning",
    bucket=bucket.id,
    versioning_configuration={"status": config.get("versioning") or "Enabled"},
)
aws.s3.BucketOwnershipControls(
    "ownership",
    bucket=bucket.id,
    rule={"object_ownership": config.get("ownership") or "BucketOwnerPreferred"},
)
# Deny every request not made over TLS: a policy that is not public, so the block allows it.
aws.s3.BucketPolicy(
    "policy",
    bucket=bucket.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        )
    ),
)
# Noncurrent versions only exist once versioning is on, hence the dependency (as in the
# pulumi-aws examples).
aws.s3.BucketLifecycleConfiguration(
    "lifecycle",
    bucket=bucket.id,
    rules=[
        {
            "id": "logs",
            "status": "Enabled",
            "filter": {"prefix": "logs/"},
            "expiration": {"days": config.get_int("expireDays") or 30},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 3},
        },
        {
            "id": "scratch",
            "status": "Enabled",
            "filter": {"and_": {"prefix": "tmp/", "tags": {"kind": "scratch"}}},
            "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}],
        },
    ],
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)

zone_name = f"{label}.example.com"
zone = aws.route53.Zone("zone", name=zone_name, tags={"owner": owner})
www = aws.route53.Record(
    "www",
    zone_id=zone.zone_id,
    name="www",  # relative to the zone
    type="CNAME",
    ttl=config.get_int("ttl") or 300,
    records=[bucket.bucket_regional_domain_name],
)
aws.route53.Record(
    "spf",
    zone_id=zone.zone_id,
    name=zone_name,
    type="TXT",
    ttl=300,
    records=["v=spf1 -all"],  # Route 53 keeps it quoted
)
cert = aws.acm.Certificate(
    "cert",
    domain_name=f"files.{zone_name}",
    subject_alternative_names=[f"www.{zone_name}"],
    validation_method="DNS",
    tags={"owner": owner},
)
validation = cert.domain_validation_options[0]
validation_record = aws.route53.Record(
    "validation",
    zone_id=zone.zone_id,
    name=validation.resource_record_name,
    type=validation.resource_record_type,
    records=[validation.resource_record_value],
    ttl=60,
)
issued = aws.acm.CertificateValidation(
    "issued", certificate_arn=cert.arn, validation_record_fqdns=[validation_record.fqdn]
)

pulumi.export("bucket", bucket.bucket)
pulumi.export("prefixedBucket", prefixed.bucket)
pulumi.export("arn", bucket.arn)
pulumi.export("domainName", bucket.bucket_domain_name)
pulumi.export("regionalDomainName", bucket.bucket_regional_domain_name)
pulumi.export("bucketRegion", bucket.region)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("zoneArn", zone.arn)
pulumi.export("nameServers", zone.name_servers)
pulumi.export("wwwFqdn", www.fqdn)
pulumi.export("certArn", issued.certificate_arn)
pulumi.export("certStatus", cert.status)
