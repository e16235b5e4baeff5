"""A second, independent SESv2 client (boto3) against ses-local: create an identity, read the
account, send an email. Usage: python boto3_client.py <ses-local url>. Prints the message id."""
import json
import sys
import urllib.request

import boto3

url = sys.argv[1]
ses = boto3.client(
    "sesv2",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
created = ses.create_email_identity(EmailIdentity="boto.example")
assert created["IdentityType"] == "DOMAIN", created
assert created["VerifiedForSendingStatus"] is False, created

# Verification happens out of band (DNS); here, through ses-local's control API.
req = urllib.request.Request(
    f"{url}/_ses-local/identities/boto.example",
    data=json.dumps({"state": "verified"}).encode(),
    method="PUT",
    headers={"Content-Type": "application/json"},
)
urllib.request.urlopen(req).read()
assert ses.get_email_identity(EmailIdentity="boto.example")["VerifiedForSendingStatus"] is True

account = ses.get_account()
assert account["SendingEnabled"] is True, account
assert account["SendQuota"]["MaxSendRate"] > 0, account

try:
    ses.get_email_identity(EmailIdentity="missing.example")
    raise SystemExit("expected NotFoundException")
except ses.exceptions.NotFoundException:
    pass

sent = ses.send_email(
    FromEmailAddress="hello@boto.example",
    Destination={"ToAddresses": ["ana@example.com"]},
    Content={
        "Simple": {
            "Subject": {"Data": "From boto3"},
            "Body": {"Text": {"Data": "Hello from a second client."}},
            "Headers": [{"Name": "X-Client", "Value": "boto3"}],
        }
    },
    EmailTags=[{"Name": "client", "Value": "boto3"}],
)
print(sent["MessageId"])
