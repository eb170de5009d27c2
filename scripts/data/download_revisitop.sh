#!/usr/bin/env bash
# Download Revisited Oxford 5k / Paris 6k images and their ground truth, the way revisitop's
# python/download.py does (https://github.com/filipradenovic/revisitop), resumable and without re-extracting.
# shellcheck source-path=SCRIPTDIR disable=SC2034  # globals are read by _common.sh
set -euo pipefail

LOG_TAG=revisitop
# shellcheck source=_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

# Face-blurred "-v1" archives, used by revisitop since June 2022 (its README note). The VGG server may
# redirect (e.g. to thor.robots.ox.ac.uk); wget and curl -L follow.
VGG_URL=${VGG_BASE_URL:-https://www.robots.ox.ac.uk/~vgg/data}
GND_URL=${REVISITOP_BASE_URL:-http://cmp.felk.cvut.cz/revisitop/data}/datasets

# Neither VGG nor revisitop publishes checksums for these files. The archives are checked by gzip's CRC
# while extracting; the ground truth is compared with the copy this project's tests use (a warning only).
declare -A ARCHIVES=(
  [roxford5k]="oxbuildings/oxbuild_images-v1.tgz"
  [rparis6k]="parisbuildings/paris_1-v1.tgz parisbuildings/paris_2-v1.tgz"
)
declare -A GND_SHA256=(   # tests/Cfcd.Tests/Fixtures/Revisitop/PROVENANCE.md
  [roxford5k]=ba7967754bd2d7d2210a5799f9c45ad5835e269a80ef9d3eba44caa35816c471
  [rparis6k]=d2e729a5293dda7dda8a15c8383424a42e4964a2c4cfea2f32fa85d11d2df499
)

usage() {
  cat <<USAGE
Usage: $(basename "$0") DEST [roxford5k|rparis6k|all] [--keep-archives] [--dry-run]

Downloads the Oxford 5k (~1.9 GB) and/or Paris 6k (two archives) images from VGG and the revisited
ground truth gnd_<dataset>.pkl from revisitop, into
  DEST/<dataset>/jpg/*.jpg   (archive sub-folders flattened, as revisitop does)
  DEST/<dataset>/gnd_<dataset>.pkl
which is the layout 'cfcd --data-root DEST' reads. Default dataset: all.

  --keep-archives  keep DEST/<dataset>/archives/*.tgz after extraction (default: delete them)
  --dry-run        print what would be downloaded and done; touch nothing
  -h, --help       this help

Rerunning resumes: finished archives are skipped (stamps in DEST/.stamps), partial downloads continue.
Paris: 20 images in the VGG archives are known to be corrupt (listed in
https://www.robots.ox.ac.uk/~vgg/data/parisbuildings/corrupt.txt). revisitop's download.py leaves them in
place and so does this script; none of them is in gnd_rparis6k.pkl, so cfcd never reads them.
USAGE
}

parse_args() {
  DEST='' WHICH=all KEEP=0
  while (( $# )); do
    case $1 in
      -h|--help) usage; exit 0 ;;
      --keep-archives) KEEP=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -*) die "unknown option '$1' (see --help)" ;;
      roxford5k|rparis6k|all) WHICH=$1 ;;
      *) [[ -z $DEST ]] || die "unexpected argument '$1' (dataset is roxford5k, rparis6k or all)"; DEST=$1 ;;
    esac
    shift
  done
  [[ -n $DEST ]] || { usage >&2; exit 2; }
  STAMPS=$DEST/.stamps
}

# Extract into a scratch folder, then move every file up into jpg/ (revisitop: find -type f -exec mv).
extract_flat() {
  local archive=$1 jpg=$2 tmp
  tmp=$jpg.tmp
  rm -rf "$tmp"
  extract_tgz "$archive" "$tmp" || return 1
  find "$tmp" -type f -exec mv -f {} "$jpg/" \;
  rm -rf "$tmp"
}

get_archive() {
  local ds=$1 rel=$2 name archive jpg
  name=$(basename "$rel")
  archive=$DEST/$ds/archives/$name jpg=$DEST/$ds/jpg
  if is_done "${ds}_$name"; then log "$name: already extracted"; return 0; fi
  fetch "$VGG_URL/$rel" "$archive" || return 1
  if (( DRY_RUN )); then log "would extract $name into $jpg/ (flattened) and stamp it"; return 0; fi
  log "extracting $name into $jpg/"
  mkdir -p "$jpg"
  extract_flat "$archive" "$jpg" || return 1
  mark_done "${ds}_$name"
  (( KEEP )) || { rm -f "$archive"; rmdir "$(dirname "$archive")" 2>/dev/null || true; }
}

get_gnd() {
  local ds=$1 gnd got
  gnd=$DEST/$ds/gnd_$ds.pkl
  fetch "$GND_URL/$ds/gnd_$ds.pkl" "$gnd" || return 1
  (( DRY_RUN )) && return 0
  command -v sha256sum >/dev/null 2>&1 || return 0
  got=$(sha256sum "$gnd" | cut -d' ' -f1)
  [[ $got == "${GND_SHA256[$ds]}" ]] ||
    warn "$gnd differs from the copy cfcd was tested with (sha256 $got); revisitop may have updated it"
}

# Every image named in the ground truth (imlist + qimlist) must be in jpg/. The pickle is read with
# pickletools, which walks opcodes and never runs them. Skipped without python3.
check_images() {
  local ds=$1
  (( DRY_RUN )) && { log "would check that every image in gnd_$ds.pkl is in $DEST/$ds/jpg/"; return 0; }
  command -v python3 >/dev/null 2>&1 || { log "no python3: skipping the image-list check"; return 0; }
  python3 - "$DEST/$ds/gnd_$ds.pkl" "$DEST/$ds/jpg" <<'PY'
import os, pickletools, sys
gnd, jpg = sys.argv[1:3]
keys = {"gnd", "imlist", "qimlist", "bbx", "easy", "hard", "junk", "ok"}
with open(gnd, "rb") as f:
    names = {arg for op, arg, _ in pickletools.genops(f)
             if op.name in ("BINUNICODE", "SHORT_BINUNICODE", "UNICODE", "BINUNICODE8") and arg not in keys}
missing = sorted(n for n in names if not os.path.isfile(os.path.join(jpg, n + ".jpg")))
print(f"[revisitop] {len(names) - len(missing)} of {len(names)} ground-truth images present in {jpg}")
if missing:
    print(f"[revisitop] error: missing {len(missing)}, e.g. {', '.join(missing[:5])}", file=sys.stderr)
    sys.exit(1)
PY
}

get_dataset() {
  local ds=$1 rel
  log "$ds -> $DEST/$ds"
  for rel in ${ARCHIVES[$ds]}; do get_archive "$ds" "$rel" || return 1; done
  get_gnd "$ds" || return 1
  check_images "$ds" || {
    warn "to extract $ds again: rm $STAMPS/${ds}_*.done and rerun"
    return 1
  }
}

main() {
  local ds datasets failed=0
  parse_args "$@"
  require tar gzip find
  pick_downloader
  (( DRY_RUN )) && log "dry run: nothing is downloaded or written"
  (( DRY_RUN )) || warn_space "$DEST" 10   # rough: archives (~2 GB each data set) + extracted images
  if [[ $WHICH == all ]]; then datasets=(roxford5k rparis6k); else datasets=("$WHICH"); fi
  for ds in "${datasets[@]}"; do
    get_dataset "$ds" || { warn "$ds failed (see above)"; failed=1; }
  done
  (( failed == 0 )) || die "some data sets failed (see above); rerun the same command to resume"
  (( DRY_RUN )) || log "done: ${datasets[*]} in $DEST (cfcd: --data-root $DEST)"
}

main "$@"
