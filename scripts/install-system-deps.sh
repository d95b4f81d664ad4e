#!/usr/bin/env bash
# Debian packages the tests and the local network need: socat (serial pseudo-terminals),
# mosquitto (reference MQTT broker), chromium (browser tests) with a CJK font so pages in Chinese
# render, iproute2 (network namespaces), openssl (keygen --tls: cluster CA and replica certificates).
# Idempotent: installs only what is missing, so a warm machine skips apt entirely.
set -euo pipefail
needed=(socat mosquitto mosquitto-clients chromium fonts-wqy-microhei iproute2 openssl)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "system packages present: ${needed[*]}"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian mosquitto package starts a system broker on 1883; tests run their own on port 0.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
