#!/usr/bin/env bash
# Download the revisitop 1M distractors (R1M) and their image list, the way revisitop's python/download.py
# does (https://github.com/filipradenovic/revisitop), resumable, in parallel and extracting each part once.
# shellcheck source-path=SCRIPTDIR disable=SC2034  # globals are read by _common.sh
set -euo pipefail

LOG_TAG=revisitop1m
# shellcheck source=_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

R1M_URL=${R1M_BASE_URL:-http://ptak.felk.cvut.cz/revisitop/revisitop1m}
LAST_PART=100

usage() {
  cat <<USAGE
Usage: $(basename "$0") DEST [--parts 1-$LAST_PART] [--jobs N] [--keep-archives] [--dry-run]

Downloads the 100 archives revisitop1m.N.tar.gz and the image list revisitop1m.txt into
  DEST/revisitop1m/jpg/<path as listed in revisitop1m.txt>
  DEST/revisitop1m/revisitop1m.txt
which is where revisitop (and 'cfcd --data-root DEST') look for them.

  --parts SPEC      archives to fetch: 1-100 (default), 7, or 1-10,50
  --jobs N          archives handled in parallel (default 4)
  --keep-archives   keep DEST/revisitop1m/archives/*.tar.gz after extraction (default: delete them)
  --dry-run         print what would be downloaded and done; touch nothing
  -h, --help        this help

Rerunning resumes: finished archives are skipped (stamps in DEST/.stamps), partial ones continue.
No checksums are published for R1M: archives are checked by gzip's CRC while extracting, and once all
100 are in, every path of revisitop1m.txt is checked to exist.
USAGE
}

parse_args() {
  parse_archive_args 1 "$LAST_PART" --keep-archives "$@"
  ROOT=$DEST/revisitop1m STAMPS=$DEST/.stamps
}

# One archive: fetch, extract into jpg/ (archive paths are relative to jpg/, as in revisitop1m.txt), stamp.
process_part() {
  local n=$1 name archive
  name=revisitop1m.$n.tar.gz archive=$ROOT/archives/revisitop1m.$n.tar.gz
  if is_done "r1m_$n"; then log "$name: already extracted"; return 0; fi
  fetch "$R1M_URL/jpg/$name" "$archive" || return 1
  if (( DRY_RUN )); then log "would extract $name into $ROOT/jpg/ and stamp it"; return 0; fi
  extract_tgz "$archive" "$ROOT/jpg" || return 1
  mark_done "r1m_$n"
  (( KEEP )) || rm -f "$archive"
  log "$name: extracted"
}

# With all 100 archives in: every line of revisitop1m.txt must be a file under jpg/.
check_list() {
  local n missing
  is_done r1m_complete && { log "image list already checked"; return 0; }
  for (( n = 1; n <= LAST_PART; n++ )); do
    is_done "r1m_$n" || { log "not all 100 archives are in yet: skipping the image-list check"; return 0; }
  done
  log "checking every path of revisitop1m.txt under $ROOT/jpg/ ..."
  missing=$(comm -23 <(LC_ALL=C sort -u "$ROOT/revisitop1m.txt") \
                     <(cd "$ROOT/jpg" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) | wc -l)
  (( missing == 0 )) || die "$missing images of revisitop1m.txt are not under $ROOT/jpg/;" \
    "to extract again: rm $STAMPS/r1m_*.done and rerun"
  mark_done r1m_complete
  log "all $(wc -l < "$ROOT/revisitop1m.txt") listed images are present"
}

main() {
  parse_args "$@"
  require tar gzip find comm sort
  pick_downloader
  (( DRY_RUN )) && JOBS=1 && log "dry run: nothing is downloaded or written"
  log "R1M -> $ROOT/jpg (${#PARTS[@]} of 100 archives, $JOBS at a time)"
  # No checksum is published for the list either.
  fetch "$R1M_URL/revisitop1m.txt" "$ROOT/revisitop1m.txt"
  trap stop_jobs INT TERM
  run_pool "$JOBS" process_part "${PARTS[@]}"
  trap - INT TERM
  (( POOL_FAILED == 0 )) || die "$POOL_FAILED archive(s) failed (see above); rerun the same command to retry them"
  if (( DRY_RUN )); then log "would check every path of revisitop1m.txt once all 100 archives are in"; return 0; fi
  rmdir "$ROOT/archives" 2>/dev/null || true   # only when empty
  check_list
  log "done: $ROOT (cfcd: --data-root $DEST)"
}

main "$@"
