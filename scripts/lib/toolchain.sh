# shellcheck shell=bash
# Sourced by scripts/start, scripts/test and scripts/dev-cluster: puts a supported
# Node.js and the committed Yarn on PATH, then installs the workspace. Idempotent;
# fast when everything is in place. Reaches only the npm registry.

CAIRN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CAIRN_ROOT
# The Node.js release Cairn installs when the machine has no Node 22 or 24.
CAIRN_NODE_VERSION=24.21.0
CAIRN_TOOLCHAIN="$CAIRN_ROOT/.toolchain"

cairn_log() { printf '\033[1m[cairn]\033[0m %s\n' "$*" >&2; }

# Prints the major version of the node on PATH, or 0.
cairn_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

cairn_ensure_node() {
  local major
  major="$(cairn_node_major)"
  if [[ "$major" == 22 || "$major" == 24 ]]; then
    # Native modules (better-sqlite3) build against the running node's headers.
    local prefix
    prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
    if [[ -f "$prefix/include/node/node_api.h" ]]; then
      export npm_config_nodedir="$prefix"
    fi
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) cairn_log "unsupported CPU $(uname -m): install Node.js 22 or 24 yourself"; return 1 ;;
  esac
  # The npm package `node` ships the binary and its headers as node-linux-<arch>.
  local home="$CAIRN_TOOLCHAIN/node_modules/node/node_modules/node-linux-$arch"
  if [[ ! -x "$home/bin/node" || "$("$home/bin/node" --version 2>/dev/null)" != "v$CAIRN_NODE_VERSION" ]]; then
    cairn_log "installing Node.js $CAIRN_NODE_VERSION into .toolchain (from the npm registry)"
    mkdir -p "$CAIRN_TOOLCHAIN"
    npm install --prefix "$CAIRN_TOOLCHAIN" --no-save --no-audit --no-fund --loglevel=error \
      "node@$CAIRN_NODE_VERSION" >&2
    if [[ ! -x "$home/bin/node" ]]; then
      cairn_log "the node package did not install its binary at $home/bin/node"
      return 1
    fi
  fi
  export PATH="$home/bin:$PATH"
  export npm_config_nodedir="$home"
}

cairn_ensure_yarn() {
  local release
  release="$(ls "$CAIRN_ROOT"/.yarn/releases/yarn-*.cjs | head -n 1)"
  mkdir -p "$CAIRN_TOOLCHAIN/bin"
  # A yarn on PATH for the tools (backstage-cli, playwright) that spawn `yarn`.
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$release" >"$CAIRN_TOOLCHAIN/bin/yarn"
  chmod +x "$CAIRN_TOOLCHAIN/bin/yarn"
  export PATH="$CAIRN_TOOLCHAIN/bin:$PATH"
  export YARN_ENABLE_TELEMETRY=0
}

cairn_install_workspace() {
  local args=()
  if [[ -n "${CI:-}" ]]; then args+=(--immutable); fi
  cairn_log "yarn install ${args[*]}"
  (cd "$CAIRN_ROOT" && yarn install "${args[@]}" >&2)
}

cairn_setup() {
  cairn_ensure_node && cairn_ensure_yarn && cairn_install_workspace
}
