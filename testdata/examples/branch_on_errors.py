"""The errors seed's branching example, run against a live lmsproxy.

Usage: python3 branch_on_errors.py BASE_URL
Creates a customer, sends an invalid body, then a duplicate, and prints how
each answer is branched on: by HTTP status and the `code` field, never by
the message text.
"""
import json
import sys

import requests

BASE = sys.argv[1]
token = requests.get(f"{BASE}/v1/auth/token", auth=("dev", "dev-password")).json()["token"]


def refresh_token_and_retry():
    print("unauthenticated")


for payload in ({"externalId": "py-001"}, {"name": "x"}, {"externalId": "py-001"}):
    resp = requests.post(f"{BASE}/v1/customers", json=payload, headers={"Authorization": f"Bearer {token}"})
    if resp.ok:
        customer = resp.json()
        print("created", customer["externalId"], customer["status"])
    elif resp.status_code == 400:
        fields = json.loads(resp.json()["message"])
        for fe in fields:
            print(f"  {fe['field']}: {fe['error']}")
    elif resp.status_code == 401:
        refresh_token_and_retry()
    else:
        body = resp.json()
        print("error:", body["code"], body["message"])
