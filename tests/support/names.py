"""Who and where in the assembled e2e world: the Slack ids, the CM.com profile, the signing secret."""

SIGNING_SECRET = "e2e-signing-secret-not-a-real-one"
ALICE = "U0ALICE001"  # makes requests
BOB = "U0BOB00001"  # a colleague: may look, may not act
ADMIN = "U0ADMIN001"  # in RESOURCEBOT_ADMINS
CHANNEL = "C0RESOURCE"
CM_PROFILE = "0b0c6b8e-5c5f-4a43-9a0a-3c7d2f1e9b11"
CM_PROFILES = {"Support desk": CM_PROFILE}
