#!/bin/sh
#
# Install the Apiary agent as an SMF service on OmniOS.
#
#   install-agent.sh --source /path/to/apps/agent [--prefix /opt/apiary] [--user apiary]
#
# --source  a built apps/agent directory (dist/, drizzle/, package.json; `pnpm build` first)
# --user    run unprivileged as this user with the "Apiary Agent" RBAC profile and pfexec,
#           instead of root (see docs/agent-smf.md for what that mode cannot do)
#
# Safe to run again: every step checks before it changes anything.
set -eu

PREFIX=/opt/apiary
SOURCE=
RUNAS=
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) PREFIX=$2; shift 2 ;;
	--source) SOURCE=$2; shift 2 ;;
	--user) RUNAS=$2; shift 2 ;;
	*) echo "usage: $0 --source DIR [--prefix DIR] [--user NAME]" >&2; exit 2 ;;
	esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "install-agent: $*" >&2; exit 1; }

[ "$(uname -s)" = SunOS ] || die "this installs an SMF service: run it on OmniOS/illumos"
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -n "$SOURCE" ] && [ -f "$SOURCE/dist/main.js" ] || die "--source must be a built apps/agent (dist/main.js missing)"
NODE=$(svcprop -p config/node site/apiary-agent 2>/dev/null || echo /opt/ooce/node-20/bin/node)
[ -x "$NODE" ] || die "Node.js 20 not found at $NODE (pkg install ooce/runtime/node-20)"

echo "== files under $PREFIX"
mkdir -p "$PREFIX/agent" "$PREFIX/lib/svc/method" "$PREFIX/lib/svc/manifest"
rm -rf "$PREFIX/agent/dist" "$PREFIX/agent/drizzle"
cp -R "$SOURCE/dist" "$SOURCE/drizzle" "$PREFIX/agent/"
# Runtime dependencies only: workspace packages are bundled into dist/main.js.
"$NODE" -e '
  const p = require(process.argv[1]);
  const deps = Object.fromEntries(Object.entries(p.dependencies).filter(([n]) => !n.startsWith("@apiary/")));
  require("fs").writeFileSync(process.argv[2], JSON.stringify({ name: "apiary-agent-runtime", private: true, type: "module", dependencies: deps }, null, 2));
' "$SOURCE/package.json" "$PREFIX/agent/package.json"
(cd "$PREFIX/agent" && PATH="$(dirname "$NODE"):$PATH" npm install --omit=dev --no-audit --no-fund)
cp "$HERE/apiary-agent.method" "$PREFIX/lib/svc/method/apiary-agent"
chmod 0555 "$PREFIX/lib/svc/method/apiary-agent"
cp "$HERE/apiary-agent.xml" "$PREFIX/lib/svc/manifest/apiary-agent.xml"

echo "== state directories"
mkdir -p /var/apiary/agent /var/apiary/cloud-init /etc/apiary
chmod 0700 /var/apiary/agent /var/apiary/cloud-init

echo "== IP Filter (ipnat needs it enabled)"
svcadm enable -s network/ipfilter

if [ -n "$RUNAS" ]; then
	echo "== RBAC profile 'Apiary Agent' for user $RUNAS"
	append_missing() { # file, lines-file
		grep -v '^#' "$2" | while IFS= read -r line; do
			[ -z "$line" ] && continue
			grep -qxF "$line" "$1" || echo "$line" >> "$1"
		done
	}
	append_missing /etc/security/prof_attr "$HERE/prof_attr"
	append_missing /etc/security/exec_attr "$HERE/exec_attr"
	id "$RUNAS" >/dev/null 2>&1 || useradd -d /var/apiary -s /bin/false -c "Apiary agent" "$RUNAS"
	usermod -P 'Apiary Agent' "$RUNAS"
	chown -R "$RUNAS" /var/apiary
fi

echo "== SMF service site/apiary-agent"
svccfg validate "$PREFIX/lib/svc/manifest/apiary-agent.xml"
svccfg import "$PREFIX/lib/svc/manifest/apiary-agent.xml"
if [ -n "$RUNAS" ]; then
	svccfg -s site/apiary-agent setprop method_context/user = astring: "$RUNAS"
	svccfg -s site/apiary-agent setprop method_context/group = astring: other
	svccfg -s site/apiary-agent setprop method_context/privileges = astring: basic,net_privaddr
	svccfg -s site/apiary-agent setprop config/pfexec = boolean: true
fi
svcadm refresh site/apiary-agent

cat <<NEXT

Installed. Next:
  svccfg -s site/apiary-agent setprop config/external_link = astring: <your NIC>
  svccfg -s site/apiary-agent setprop config/controller = astring: http://controller:9200   # optional
  echo '<license key>' > /etc/apiary/license-key && chmod 0600 /etc/apiary/license-key   # with a controller
  svcadm refresh site/apiary-agent && svcadm enable -s site/apiary-agent
  svcs -x site/apiary-agent; tail /var/svc/log/site-apiary-agent:default.log
First API key: cat /var/apiary/agent/claim-token (then POST /api/api-keys/bootstrap), or
  $NODE $PREFIX/agent/dist/main.js keys create --data-dir /var/apiary/agent --role admin
NEXT
