#!/usr/bin/env bash
# Makes a Debian 12 base image for the Dockerfile without a container registry:
# debootstrap (packages from the Debian archive), then `podman import`. Idempotent: an
# existing image is kept. Prints the image name on the last line. Run as root.
#
#   deploy/container-base.sh                       # localhost/segmentd-base:debian12
#   podman build --build-arg DEBIAN_IMAGE=localhost/segmentd-base:debian12 -t segmentd .
set -euo pipefail
image="${1:-localhost/segmentd-base:debian12}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if ! podman image exists "$image"; then
  rootfs="$(mktemp -d /var/tmp/segmentd-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap bookworm into $rootfs" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >&2
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >&2
fi
echo "$image"
