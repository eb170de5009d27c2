#!/usr/bin/env bash
# Download the Google Landmarks v2 (GLDv2) train images and the GLDv2-clean metadata (train_clean.csv).
# URLs, md5 files and layout: https://github.com/cvdfoundation/google-landmark (README, download-dataset.sh).
# shellcheck source-path=SCRIPTDIR disable=SC2034  # globals are read by _common.sh
set -euo pipefail

LOG_TAG=gldv2
# shellcheck source=_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

BASE_URL=${GLDV2_BASE_URL:-https://s3.amazonaws.com/google-landmark}   # env override: a mirror
LAST_PART=499

usage() {
  cat <<USAGE
Usage: $(basename "$0") DEST [--parts 0-$LAST_PART] [--jobs N] [--keep-tars] [--dry-run]

Downloads GLDv2 train images_NNN.tar (500 tars of ~1 GB) with the md5 file the publisher gives for each,
checks the md5, extracts into DEST/train/a/b/c/<id>.jpg and downloads DEST/train_clean.csv.
The clean subset is spread over all 500 tars, so a full train_list needs --parts 0-$LAST_PART.

  --parts SPEC   tars to fetch: 0-499 (default), 7, or 0-9,20,100-149
  --jobs N       tars handled in parallel (default 4; the official script uses 6)
  --keep-tars    keep DEST/tars/images_NNN.tar after extraction (default: delete them)
  --dry-run      print what would be downloaded and done; touch nothing
  -h, --help     this help

Rerunning resumes: finished tars are skipped (stamps in DEST/.stamps), partial ones continue.
USAGE
}

parse_args() {
  parse_archive_args 0 "$LAST_PART" --keep-tars "$@"
  TARS=$DEST/tars STAMPS=$DEST/.stamps
}

# The md5 file's first 32-hex-digit word is the checksum (the official script takes its first field).
md5_ok() {
  local file=$1 md5_file=$2 want got
  want=$(grep -oiE '[0-9a-f]{32}' "$md5_file" | head -n 1 | tr 'A-F' 'a-f')
  [[ -n $want ]] || { warn "no md5 found in $md5_file"; return 1; }
  if command -v md5sum >/dev/null 2>&1; then got=$(md5sum "$file" | cut -d' ' -f1)
  else got=$(md5 -q "$file"); fi
  [[ $got == "$want" ]] || { warn "md5 of $file is $got, expected $want"; return 1; }
}

fetch_part() {
  fetch "$BASE_URL/md5sum/train/md5.images_$1.txt" "$TARS/md5.images_$1.txt" &&
    fetch "$BASE_URL/train/images_$1.tar" "$TARS/images_$1.tar"
}

# One tar: fetch it and its md5, verify (one fresh download on a mismatch), extract, stamp.
# Errors are returned, not fatal, so that the other tars go on.
process_part() {
  local id tar md5_file
  id=$(printf '%03d' "$1")
  tar=$TARS/images_$id.tar md5_file=$TARS/md5.images_$id.txt
  if is_done "train_$id"; then log "images_$id.tar: already extracted"; return 0; fi
  fetch_part "$id" || return 1
  if (( DRY_RUN )); then log "would check md5, extract $tar into $DEST/train/ and stamp it"; return 0; fi
  if ! md5_ok "$tar" "$md5_file"; then
    log "images_$id.tar: md5 mismatch, downloading it again"
    rm -f "$tar" "$md5_file"
    fetch_part "$id" || return 1
    md5_ok "$tar" "$md5_file" || {
        rm -f "$tar" "$md5_file"
        warn "images_$id.tar: md5 mismatch twice, giving up on it"
        return 1
    }
  fi
  mkdir -p "$DEST/train"
  tar -xf "$tar" -C "$DEST/train" || { warn "extracting $tar failed (disk full?); it is kept"; return 1; }
  mark_done "train_$id"
  (( KEEP )) || rm -f "$tar"
  log "images_$id.tar: md5 ok, extracted"
}

main() {
  parse_args "$@"
  require tar grep
  pick_downloader
  (( DRY_RUN )) && JOBS=1 && log "dry run: nothing is downloaded or written"
  log "GLDv2 train -> $DEST/train (${#PARTS[@]} of 500 tars, $JOBS at a time)"
  (( DRY_RUN )) || warn_space "$DEST" $(( ${#PARTS[@]} + JOBS ))   # ~1 GB per tar extracted, + tars in flight
  # No checksum is published for the metadata CSVs, only for the image tars.
  fetch "$BASE_URL/metadata/train_clean.csv" "$DEST/train_clean.csv"
  trap stop_jobs INT TERM
  run_pool "$JOBS" process_part "${PARTS[@]}"
  trap - INT TERM
  (( POOL_FAILED == 0 )) || die "$POOL_FAILED tar(s) failed (see above); rerun the same command to retry them"
  (( DRY_RUN )) && return 0
  log "done: $DEST/train/ and $DEST/train_clean.csv"
  log "next, build the training and validation lists (see 'cfcd gldv2-list --help'):"
  echo "  cfcd gldv2-list --csv $DEST/train_clean.csv --out $DEST/train_list.txt --val-out $DEST/val_list.txt"
}

main "$@"
