#!/usr/bin/env bash
# Makes a PowerShell available for the PowerShell bridge's tests, and prints where it is (last line: "pwsh: PATH").
# Order: an existing pwsh (PATH, then ~/.dotnet/tools), an already built engine host, `dotnet tool install --global
# PowerShell`, and last a build of mocks/pwsh-host (the real PowerShell engine from the NuGet package
# System.Management.Automation in a minimal pwsh-compatible host; see docs/decisions.md). Idempotent.
# Environment: HPS_PWSH_HOST_DIR (default ~/.cache/hybrid-photo-sync/pwsh-host) is where the host is built.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
host_src="$repo/mocks/pwsh-host"
host_dir="${HPS_PWSH_HOST_DIR:-$HOME/.cache/hybrid-photo-sync/pwsh-host}"
probe='[Console]::Out.WriteLine("hps-probe:" + $PSVersionTable.PSVersion.ToString() + ":" + $PSVersionTable.PSEdition)'

works() {
  local out
  out="$(timeout 60 "$1" -NoLogo -NoProfile -NonInteractive -Command "$probe" 2>/dev/null || true)"
  [[ "$out" == *hps-probe:* ]] && { echo "install-pwsh: $1 answers: ${out#*hps-probe:}" >&2; return 0; }
  return 1
}

found() {
  echo "pwsh: $1"
  exit 0
}

if command -v pwsh >/dev/null 2>&1 && works "$(command -v pwsh)"; then found "$(command -v pwsh)"; fi
if [[ -x "$HOME/.dotnet/tools/pwsh" ]] && works "$HOME/.dotnet/tools/pwsh"; then found "$HOME/.dotnet/tools/pwsh"; fi

source_hash="$(cat "$host_src/Program.cs" "$host_src/PwshHost.csproj" | sha256sum | cut -d' ' -f1)"
if [[ -x "$host_dir/pwsh" && -f "$host_dir/.source-hash" && "$(cat "$host_dir/.source-hash")" == "$source_hash" ]] && works "$host_dir/pwsh"; then
  found "$host_dir/pwsh"
fi

if command -v dotnet >/dev/null 2>&1; then
  echo "install-pwsh: trying dotnet tool install --global PowerShell" >&2
  if timeout 300 dotnet tool install --global PowerShell >&2 && works "$HOME/.dotnet/tools/pwsh"; then
    found "$HOME/.dotnet/tools/pwsh"
  fi
  echo "install-pwsh: the PowerShell .NET tool is not available here; building the engine host from mocks/pwsh-host" >&2
  rm -rf "$host_dir"
  mkdir -p "$host_dir"
  # ReadyToRun (precompiled) halves the engine's start-up; it needs a runtime identifier. Plain JIT build as fallback.
  case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64 | arm64) rid=linux-arm64 ;; *) rid= ;; esac
  if [[ -z "$rid" ]] || ! timeout 900 dotnet publish "$host_src/PwshHost.csproj" -c Release -r "$rid" --self-contained false \
    -p:PublishReadyToRun=true -o "$host_dir/bin" --artifacts-path "$host_dir/artifacts" -nologo -v quiet >&2; then
    rm -rf "$host_dir/bin" "$host_dir/artifacts"
    timeout 600 dotnet publish "$host_src/PwshHost.csproj" -c Release -o "$host_dir/bin" \
      --artifacts-path "$host_dir/artifacts" -nologo -v quiet >&2
  fi
  rm -rf "$host_dir/artifacts"
  cat >"$host_dir/pwsh" <<'LAUNCHER'
#!/bin/sh
# pwsh-compatible launcher for the hybrid-photo-sync engine host (mocks/pwsh-host). Not PowerShell's own console.
exec dotnet "$(dirname "$(readlink -f "$0")")/bin/pwsh-host.dll" "$@"
LAUNCHER
  chmod +x "$host_dir/pwsh"
  if works "$host_dir/pwsh"; then
    echo "$source_hash" >"$host_dir/.source-hash"
    found "$host_dir/pwsh"
  fi
fi

echo "install-pwsh: no PowerShell could be installed or built (is the .NET SDK on PATH?); PowerShell tests will be skipped" >&2
exit 1
