# Sourced by the benchmark drivers: bench_options DEFAULT_PAIRS... -- USER_ARGS... sets the array `options` to the
# user's options plus every default flag the user did not give (cfcd refuses a repeated option).
bench_options() {
  local defaults=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do defaults+=("$1"); shift; done
  shift || true
  options=("$@")
  local i
  for ((i = 0; i < ${#defaults[@]}; i += 2)); do
    [[ " $* " == *" ${defaults[i]} "* ]] || options+=("${defaults[i]}" "${defaults[i + 1]}")
  done
}
