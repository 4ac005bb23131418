# shellcheck shell=bash
# Runs one emulator on one image and checks the run; sourced by
# run_guest_test.sh and sys/run_sys_test.sh, which differ only in what they
# expect. Sourcing it makes the scratch directory; then the caller calls
# run_emulator, the checks it needs (check_*, fail), and exit_if_failed.
# The caller sets TIMEOUT_SECONDS.

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0

# fail MESSAGE: reports one failed check; exit_if_failed ends the test.
fail() {
    echo "FAIL: $*"
    failed=1
}

# run_emulator COMMAND... IMAGE: the serial output goes to $scratch/got, stderr
# to $scratch/stderr; sets run_status.
run_emulator() {
    echo "running: $*"
    timeout "$TIMEOUT_SECONDS" "$@" </dev/null >"$scratch/got" 2>"$scratch/stderr"
    run_status=$?
}

# check_exit_status WANT [WHY]: the run must have ended by itself with WANT.
check_exit_status() {
    if ((run_status == 124)); then
        fail "timed out after $TIMEOUT_SECONDS s"
    elif ((run_status != $1)); then
        fail "exit status $run_status, want $1${2:+ $2}"
    fi
}

# check_serial_output WANT_FILE SOURCE: the serial output must equal WANT_FILE
# byte for byte; SOURCE names where WANT_FILE came from.
check_serial_output() {
    if ! cmp -s "$1" "$scratch/got"; then
        fail "serial output differs from $2 (--- want, +++ got):"
        diff -u --label want --label got "$1" "$scratch/got" | head -n 200
    fi
}

# exit_if_failed: after a failed check, shows the run's stderr (which says
# why more often than the serial output) and exits with 1.
exit_if_failed() {
    if ((failed)); then
        if [[ -s $scratch/stderr ]]; then
            echo "stderr of the run:"
            head -n 50 "$scratch/stderr"
        fi
        exit 1
    fi
}
