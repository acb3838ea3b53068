#compdef fleetctl
# zsh completion for fleetctl. Install: copy to a directory on $fpath as _fleetctl,
# or run: source <(fleetctl completion zsh)
# fleetctl itself answers (its [suggest] directive), so commands, options, values such as --format and
# the pool and site names of the fleet in the current directory (or -C DIR) always match the binary.
_fleetctl() {
  local line=${(j: :)words[1,CURRENT]}
  local -a candidates
  candidates=(${(f)"$(${words[1]} "[suggest:${#line}]" "$line" 2>/dev/null)"})
  if (( ${#candidates} )); then
    compadd -Q -- $candidates
  else
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _fleetctl "$@"
else
  compdef _fleetctl fleetctl
fi
