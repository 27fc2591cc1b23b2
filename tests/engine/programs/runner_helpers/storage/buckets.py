import pulumi_aws as aws
from naming.prefix import PREFIX

bucket = aws.s3.Bucket("helper-bucket", bucket=f"{PREFIX}-bucket")
