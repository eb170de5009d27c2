# shellcheck shell=bash
# Helpers shared by the download scripts in this folder. Sourced, never run.
#
# Conventions:
#   - a download goes to FILE.part (resumed on a rerun) and is renamed to FILE only when complete;
#   - a finished step leaves a stamp in DEST/.stamps/ and is skipped on the next run;
#   - DRY_RUN=1 prints what would be done and touches nothing (no folders, no network).

DRY_RUN=0
LOG_TAG=${LOG_TAG:-data}

log()  { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
warn() { printf '[%s] warning: %s\n' "$LOG_TAG" "$*" >&2; }
die()  { printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed but not installed"
  done
}

# wget first: 'wget -c' on a file that is already complete answers "already fully retrieved"; curl -C -
# can fail with 416 there (curl/curl#6740, #10521, #12174). -f keeps curl from saving an error page.
pick_downloader() {
  if command -v wget >/dev/null 2>&1; then DOWNLOADER=wget
  elif command -v curl >/dev/null 2>&1; then DOWNLOADER=curl
  else die "need wget or curl to download"; fi
}

# download URL OUT: resume OUT.part from URL, then rename it to OUT. Redirects are followed.
download() {
  local url=$1 out=$2
  local wget_opts=(-c --tries=10 --waitretry=30 --timeout=120)
  local curl_opts=(-fL -C - --retry 10 --retry-delay 30 --connect-timeout 60)
  if [[ ! -t 2 ]] || (( ${JOBS:-1} > 1 )); then wget_opts+=(-nv); curl_opts+=(-sS); fi
  case $DOWNLOADER in
    wget) wget "${wget_opts[@]}" -O "$out.part" "$url" ;;
    curl) curl "${curl_opts[@]}" -o "$out.part" "$url" || part_is_complete "$url" "$out.part" ;;
  esac || {
    warn "download of $url failed; rerun to resume (delete $out.part if it keeps failing)"
    return 1
  }
  mv -f "$out.part" "$out"
}

# part_is_complete URL PART: PART already has the server's Content-Length (curl's 416 case above).
part_is_complete() {
  local size
  [[ -s $2 ]] || return 1
  size=$(curl -sfLI "$1" | tr -d '\r' | awk 'tolower($1) == "content-length:" { n = $2 } END { print n + 0 }')
  (( size > 0 && size == $(wc -c < "$2") ))
}

# fetch URL OUT: like download, but skip when OUT already exists.
fetch() {
  local url=$1 out=$2
  if [[ -s $out ]]; then log "have $out"; return 0; fi
  if (( DRY_RUN )); then log "would download $url -> $out"; return 0; fi
  mkdir -p "$(dirname "$out")"
  log "downloading $url"
  download "$url" "$out"
}

# Stamps: one empty file per finished step, under $STAMPS.
is_done()   { [[ -e $STAMPS/$1.done ]]; }
mark_done() { mkdir -p "$STAMPS" && : > "$STAMPS/$1.done"; }

# parse_parts SPEC LO HI: set PARTS to the numbers of "3", "0-9" or "0-9,20,30-39", each within LO..HI.
# Options shared by the archive-set scripts: DEST [--parts SPEC] [--jobs N] [KEEP_OPTION] [--dry-run] [-h].
# Sets DEST, JOBS, KEEP (0/1) and, through parse_parts, the selected part numbers.
# shellcheck disable=SC2034  # DEST, JOBS and KEEP are read by the scripts that source this file.
parse_archive_args() {
  local first=$1 last=$2 keep_option=$3 spec
  shift 3
  DEST='' spec=$first-$last JOBS=4 KEEP=0
  while (( $# )); do
    case $1 in
      -h|--help) usage; exit 0 ;;
      --parts) spec=${2:?--parts needs a value}; shift ;;
      --parts=*) spec=${1#*=} ;;
      --jobs) JOBS=${2:?--jobs needs a value}; shift ;;
      --jobs=*) JOBS=${1#*=} ;;
      "$keep_option") KEEP=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -*) die "unknown option '$1' (see --help)" ;;
      *) [[ -z $DEST ]] || die "only one DEST, got '$DEST' and '$1'"; DEST=$1 ;;
    esac
    shift
  done
  [[ -n $DEST ]] || { usage >&2; exit 2; }
  [[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer, got '$JOBS'"
  parse_parts "$spec" "$first" "$last"
}

parse_parts() {
  local spec=$1 lo=$2 hi=$3 item a b i
  local -a items list=()
  IFS=, read -r -a items <<< "$spec"
  for item in "${items[@]}"; do
    if [[ $item =~ ^([0-9]+)-([0-9]+)$ ]]; then a=$((10#${BASH_REMATCH[1]})) b=$((10#${BASH_REMATCH[2]}))
    elif [[ $item =~ ^[0-9]+$ ]]; then a=$((10#$item)) b=$a
    else die "bad --parts '$spec' (expected e.g. $lo-$hi or $lo,$((lo + 2))-$((lo + 5)))"; fi
    (( a <= b && a >= lo && b <= hi )) || die "--parts '$item' is outside $lo-$hi"
    for (( i = a; i <= b; i++ )); do list+=("$i"); done
  done
  (( ${#list[@]} > 0 )) || die "--parts '$spec' selects nothing"
  # shellcheck disable=SC2034  # PARTS is read by the calling script
  mapfile -t PARTS < <(printf '%s\n' "${list[@]}" | sort -n -u)
}

# run_pool N FUNC ARG...: FUNC ARG for each ARG, at most N at a time. Sets POOL_FAILED.
run_pool() {
  local jobs=$1 fn=$2 arg running=0
  shift 2
  POOL_FAILED=0
  if (( jobs > 1 )) && (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 403 )); then
    die "--jobs > 1 needs bash >= 4.3 (this is $BASH_VERSION); use --jobs 1"
  fi
  for arg in "$@"; do
    if (( jobs == 1 )); then
      "$fn" "$arg" || POOL_FAILED=$((POOL_FAILED + 1))
      continue
    fi
    "$fn" "$arg" &
    running=$((running + 1))
    if (( running >= jobs )); then
      wait -n || POOL_FAILED=$((POOL_FAILED + 1))
      running=$((running - 1))
    fi
  done
  while (( running > 0 )); do
    wait -n || POOL_FAILED=$((POOL_FAILED + 1))
    running=$((running - 1))
  done
}

# Background jobs ignore SIGINT in a script, so on Ctrl-C stop them (and their wget/tar) explicitly.
stop_jobs() {
  local pid
  trap - INT TERM
  for pid in $(jobs -p); do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  die "interrupted; rerun the same command to resume"
}

# warn_space DIR GIB: warn when the file system holding DIR (or its nearest existing parent) has less.
warn_space() {
  local dir=$1 need_gib=$2 avail_kib
  while [[ ! -d $dir ]]; do dir=$(dirname "$dir"); done
  avail_kib=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
  if [[ $avail_kib =~ ^[0-9]+$ ]] && (( avail_kib / 1048576 < need_gib )); then
    warn "$dir has $((avail_kib / 1048576)) GiB free; this run may need about $need_gib GiB"
  fi
}

# extract_tgz ARCHIVE DIR: untar a .tar.gz into DIR. An archive that fails gzip's own CRC check is deleted,
# so that a rerun downloads it again; any other failure (disk full, permissions) keeps it.
extract_tgz() {
  local archive=$1 dir=$2
  mkdir -p "$dir"
  tar -xzf "$archive" -C "$dir" && return 0
  if gzip -t "$archive" 2>/dev/null; then
    warn "extracting $archive into $dir failed (disk full? permissions?); the archive is kept"
  else
    rm -f "$archive"
    warn "$archive is damaged; deleted it, rerun to download it again"
  fi
  return 1
}
