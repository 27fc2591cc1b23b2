"""A program split into its own modules, as Pulumi's examples split theirs: a module next to
__main__.py, a package and a folder without __init__.py (a namespace package), each creating
resources when imported."""

import iam
import pulumi
from naming import prefix
from storage import buckets

pulumi.export("roleName", iam.role.name)
pulumi.export("bucket", buckets.bucket.bucket)
pulumi.export("prefix", prefix.PREFIX)
