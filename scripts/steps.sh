# Timed steps for the project's scripts (sourced, not run).
#
#   step "what happens now"   prints the step's title and starts its clock (ending the last one)
#   steps_report "Set-up"     ends the last step and prints each step's time and the total
#
# Long work shows progress this way, and the end says where the time went.
_steps_names=()
_steps_secs=()
_steps_start=""
_steps_t0="$(date +%s)"

_steps_close() {
    if [ -n "$_steps_start" ]; then
        _steps_secs+=("$(($(date +%s) - _steps_start))")
        _steps_start=""
    fi
}

step() {
    _steps_close
    _steps_names+=("$1")
    _steps_start="$(date +%s)"
    printf '\n==> %s\n' "$1"
}

_steps_fmt() { printf '%dm%02ds' "$(($1 / 60))" "$(($1 % 60))"; }

steps_report() {
    _steps_close
    local total=$(($(date +%s) - _steps_t0)) i
    printf '\n==> %s finished in %s:\n' "$1" "$(_steps_fmt "$total")"
    for i in "${!_steps_names[@]}"; do
        printf '    %8s  %s\n' "$(_steps_fmt "${_steps_secs[$i]}")" "${_steps_names[$i]}"
    done
}
