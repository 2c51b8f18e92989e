#!/usr/bin/env python3
"""Publish OS profiles to an OCI registry the way upstream's CI does with the oras CLI:

    oras push --artifact-type application/vnd.intel.orch.en REGISTRY/PREFIX<profileName>:TAG <profileName>.yaml

that is: one repository per profile below the prefix, the tag is the revision, an OCI 1.1 image manifest with the
empty config, and one layer per file whose `org.opencontainers.image.title` annotation is the file name (the first
layer is the profile YAML). The PyPI `oras` package has no artifact-type option, so this script builds that manifest
itself and uses the library's blob and manifest uploads (which also answer bearer-token challenges).

Usage: scripts/publish-profile.py --registry 127.0.0.1:5000 --tag 0.11.5 [--insecure] [--repo PREFIX]
                                  [--user NAME --password PW] [--ca-file CA.pem] PROFILE.yaml [MORE.yaml ...]
Needs the `oras` package (pip install oras; the conformance tests' virtual environment has it).
"""

import argparse
import datetime
import hashlib
import os
import sys
import tempfile

import oras.provider

ARTIFACT_TYPE = "application/vnd.intel.orch.en"
LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar"
EMPTY_CONFIG = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
    "data": "e30=",
}


def descriptor(path: str, media_type: str) -> dict:
    data = open(path, "rb").read()
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}


def publish(registry: "oras.provider.Registry", host: str, prefix: str, tag: str, profile: str) -> str:
    """Pushes one profile file; returns the reference it was pushed to."""
    title = os.path.basename(profile)
    name = title[: -len(".yaml")] if title.endswith(".yaml") else os.path.splitext(title)[0]
    target = f"{host}/{prefix}{name}:{tag}"
    container = registry.get_container(target)
    layer = descriptor(profile, LAYER_MEDIA_TYPE)
    layer["annotations"] = {"org.opencontainers.image.title": title}
    response = registry.upload_blob(profile, container, layer)
    registry._check_200_response(response)
    with tempfile.TemporaryDirectory() as folder:
        config_path = os.path.join(folder, "config.json")
        with open(config_path, "wb") as handle:
            handle.write(b"{}")
        config = {key: EMPTY_CONFIG[key] for key in ("mediaType", "digest", "size")}
        registry._check_200_response(registry.upload_blob(config_path, container, config))
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": ARTIFACT_TYPE,
        "config": EMPTY_CONFIG,
        "layers": [layer],
        "annotations": {"org.opencontainers.image.created": created},
    }
    registry._check_200_response(registry.upload_manifest(manifest, container))
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", required=True, help="host:port of the registry")
    parser.add_argument("--tag", required=True, help="the revision, e.g. 0.11.5")
    parser.add_argument("--repo", default="edge-orch/en/files/os-profile/", help="repository prefix, ending in /")
    parser.add_argument("--insecure", action="store_true", help="plain HTTP")
    parser.add_argument("--ca-file", help="PEM CA bundle to trust for HTTPS")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("profiles", nargs="+")
    args = parser.parse_args(argv)
    if args.repo and not args.repo.endswith("/"):
        parser.error("--repo must end in /")
    registry = oras.provider.Registry(
        hostname=args.registry, insecure=args.insecure, tls_verify=args.ca_file or True
    )
    if args.user:
        registry.auth.set_basic_auth(args.user, args.password or "")
    for profile in args.profiles:
        print(publish(registry, args.registry, args.repo, args.tag, profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
