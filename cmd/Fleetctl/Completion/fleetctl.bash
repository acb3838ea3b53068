# bash completion for fleetctl. Install: copy to /usr/share/bash-completion/completions/fleetctl,
# or run: source <(fleetctl completion bash)
# fleetctl itself answers (its [suggest] directive), so commands, options, values such as --format and
# the pool and site names of the fleet in the current directory (or -C DIR) always match the binary.
_fleetctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n' words
  words=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o nosort -F _fleetctl fleetctl
