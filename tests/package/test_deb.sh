#!/bin/bash
# The Debian package, built and used the way an IT department would:
#  1. built twice with dpkg-buildpackage from two copies of the tree in
#     different folders, at different times, under a different umask, time
#     zone and locale: the .deb files must be byte-identical (reproducible);
#  2. lintian: no errors, no warnings;
#  3. installed with apt into a throw-away Debian 12 chroot made by
#     mmdebstrap: the binary's hash is the one `sha256sum` prints, and the
#     installed binary runs the demo, whose certificate names that hash;
#  4. upgraded to a newer version (built from a third copy with the version
#     bumped): the administrator's edit of /etc/wipeproof/config survives;
#  5. purged: binary and conffile gone, the ledger folder left alone.
# Needs root (chroot, loop devices for the demo) and Debian's mirror.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the package test needs root"; exit 77; }
for tool in dpkg-buildpackage dh lintian mmdebstrap git pdftotext jq; do
	command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/deps"
done

work=$(mktemp -d /tmp/wp-deb-XXXXXX)
root="$work/chroot"
cleanup() {
	# never delete through a bind mount of /dev: unmount, check, then
	# remove only what lies on this file system
	if [ -d "$root" ]; then
		for m in var/cache/apt/archives sys proc dev; do
			mountpoint -q "$root/$m" && umount -l "$root/$m"
		done
		if findmnt -R -n -o TARGET "$root" | grep -q .; then
			echo "wp-deb: $root still has mounts; left in place" >&2
			return
		fi
	fi
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# A copy of the tree as it is now (HEAD plus edits of tracked files), so
# the test checks what is being changed; build identity says -dirty then.
copy_tree() {
	git clone -q "$src" "$1" || fail "git clone into $1"
	(cd "$src" && git diff HEAD --binary) | (cd "$1" && git apply --allow-empty) ||
		fail "applying the working tree's edits to $1"
}

build() { # DIR [env...]: dpkg-buildpackage in DIR; the .deb lands beside it
	local dir=$1
	shift
	(cd "$dir" && env "$@" dpkg-buildpackage -b -us -uc >"$dir.log" 2>&1) ||
		{ tail -30 "$dir.log" >&2; fail "dpkg-buildpackage in $dir"; }
}

version=$(sed -n 's/^project(wipeproof VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
deb_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "$version" = "$deb_version" ] ||
	fail "CMakeLists.txt says $version but debian/changelog says $deb_version; add a changelog entry"

# ---- 1. two builds, byte for byte -----------------------------------------
mkdir -p "$work/a" "$work/b/a/longer/path"
copy_tree "$work/a/wipeproof"
copy_tree "$work/b/a/longer/path/src"
build "$work/a/wipeproof" TZ=UTC LC_ALL=C.UTF-8
sleep 2
(umask 0002 && build "$work/b/a/longer/path/src" TZ=Asia/Tokyo LC_ALL=C)
debA="$work/a/wipeproof_${version}_amd64.deb"
debB="$work/b/a/longer/path/wipeproof_${version}_amd64.deb"
for f in "$debA" "$debB"; do [ -s "$f" ] || fail "no $f"; done
for pkg in wipeproof wipeproof-dbgsym; do
	cmp "$work/a/${pkg}_${version}_amd64.deb" \
		"$work/b/a/longer/path/${pkg}_${version}_amd64.deb" ||
		fail "$pkg: two builds of the same tree differ (not reproducible)"
done
echo "ok: two builds are byte-identical ($(sha256sum "$debA" | cut -c1-16)...)"

# ---- 2. lintian -------------------------------------------------------------
lintian --fail-on error,warning \
	"$work/a/wipeproof_${version}_amd64.changes" >"$work/lintian.txt" 2>&1 ||
	{ cat "$work/lintian.txt" >&2; fail "lintian reports errors or warnings"; }
grep -E '^[EW]:' "$work/lintian.txt" && fail "lintian: errors or warnings"
echo "ok: lintian (info and experimental tags: $(grep -cE '^[IXP]:' "$work/lintian.txt"))"

# what the package holds and declares
files=$(dpkg-deb -c "$debA" | awk '{print $6}')
for f in ./usr/sbin/wipeproof ./usr/share/man/man8/wipeproof.8.gz \
	./usr/share/bash-completion/completions/wipeproof ./usr/lib/udev/rules.d/60-wipeproof.rules \
	./usr/share/locale/ja/LC_MESSAGES/wipeproof.mo ./usr/lib/systemd/system/wipeproof-watch.service \
	./etc/wipeproof/config ./usr/share/doc/wipeproof/README.Debian; do
	grep -qxF "$f" <<<"$files" || fail "the package lacks $f"
done
[ "$(dpkg-deb --ctrl-tarfile "$debA" | tar -xO ./conffiles)" = /etc/wipeproof/config ] ||
	fail "/etc/wipeproof/config is not the conffile"
depends=$(dpkg-deb -f "$debA" Depends)
for lib in libssl3 libsqlite3-0 libjansson4 libudev1 libblkid1 libcairo2 libqrencode4 fonts-noto-cjk; do
	grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

# ---- 3. install into a clean Debian 12 ---------------------------------------
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
mmdebstrap --variant=apt --skip=cleanup/apt/lists bookworm "$root" "$sources" \
	>"$work/mmdebstrap.log" 2>&1 || { tail -20 "$work/mmdebstrap.log" >&2; fail "mmdebstrap"; }
mount --bind /dev "$root/dev" && mount -t proc proc "$root/proc" &&
	mount -t sysfs sysfs "$root/sys" || fail "mounting /dev, /proc, /sys in the chroot"
# the host's package cache, so the dependencies are downloaded once
mount --bind /var/cache/apt/archives "$root/var/cache/apt/archives" || fail "binding the apt cache"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
apt_install() {
	cp "$1" "$root/tmp/" || fail "copy $1"
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confold "/tmp/$(basename "$1")" >"$work/apt.log" 2>&1 ||
		{ tail -20 "$work/apt.log" >&2; fail "apt-get install $(basename "$1")"; }
}
apt_install "$debA"
in_root dpkg -s wipeproof | grep -qx "Version: $version" || fail "wipeproof $version not installed"
exe_sha=$(sha256sum "$root/usr/sbin/wipeproof" | cut -d' ' -f1)
got=$(in_root wipeproof version --json) || fail "wipeproof version --json"
[ "$(jq -r .sha256 <<<"$got")" = "$exe_sha" ] || fail "version --json: $got, sha256sum: $exe_sha"
[ "$(jq -r .version <<<"$got")" = "$version" ] || fail "version --json: $got"
commit=$(jq -r .commit <<<"$got")
[ "${commit%-dirty}" = "$(git -C "$src" rev-parse HEAD)" ] || fail "commit $commit"
in_root test -f /usr/share/man/man8/wipeproof.8.gz || fail "man page"

in_root wipeproof demo >"$work/demo.log" 2>&1 || { tail -20 "$work/demo.log" >&2; fail "the installed binary's demo"; }
grep -q "executable SHA-256 $exe_sha" "$work/demo.log" ||
	fail "the demo's cert verify does not name the installed binary's hash"
pdftotext -layout "$root/tmp/wipeproof-demo-certificate.pdf" - | tr -d ' \n' |
	grep -q "SHA-256$exe_sha" || fail "the demo's PDF certificate does not show $exe_sha"
echo "ok: installed in a clean bookworm; the demo's certificate names SHA-256 $exe_sha"

# ---- 4. upgrade: the administrator's config survives ------------------------
next="${version%.*}.$((${version##*.} + 1))"
copy_tree "$work/c/wipeproof"
(cd "$work/c/wipeproof" &&
	sed -i "s/^project(wipeproof VERSION $version/project(wipeproof VERSION $next/" CMakeLists.txt &&
	{ printf 'wipeproof (%s) bookworm; urgency=medium\n\n  * Upgrade test.\n\n -- %s  %s\n\n' \
		"$next" "wipeproof maintainers <wipeproof@example.org>" \
		"$(date -R -d @$(($(dpkg-parsechangelog -S Timestamp) + 60)))"
	  cat debian/changelog; } >debian/changelog.new && mv debian/changelog.new debian/changelog) ||
	fail "bumping the version"
build "$work/c/wipeproof"
echo "location = 本社 3F (テスト)" >>"$root/etc/wipeproof/config"
mkdir -p "$root/var/lib/wipeproof" && echo evidence >"$root/var/lib/wipeproof/ledger.db"
apt_install "$work/c/wipeproof_${next}_amd64.deb"
in_root dpkg -s wipeproof | grep -qx "Version: $next" || fail "not upgraded to $next"
[ "$(jq -r .version <<<"$(in_root wipeproof version --json)")" = "$next" ] || fail "binary not $next"
grep -qx "location = 本社 3F (テスト)" "$root/etc/wipeproof/config" || fail "the upgrade lost the edited conffile"
in_root wipeproof config show | grep -q "本社 3F (テスト)" || fail "config show after the upgrade"
echo "ok: upgraded $version -> $next, the edited /etc/wipeproof/config kept"

# ---- 5. purge ----------------------------------------------------------------
in_root dpkg --purge wipeproof >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge"; }
in_root dpkg -s wipeproof >/dev/null 2>&1 && fail "still installed after purge"
[ -e "$root/usr/sbin/wipeproof" ] && fail "binary left after purge"
[ -e "$root/etc/wipeproof/config" ] && fail "conffile left after purge"
[ "$(cat "$root/var/lib/wipeproof/ledger.db")" = evidence ] || fail "purge touched the ledger"
echo "ok: purged; the ledger in /var/lib/wipeproof is left as evidence"
echo "ok: debian package"
