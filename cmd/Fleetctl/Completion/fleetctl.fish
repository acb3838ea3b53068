# fish completion for fleetctl. Install: copy to ~/.config/fish/completions/fleetctl.fish (or a
# vendor_completions.d directory), or run: fleetctl completion fish | source
# fleetctl itself answers (its [suggest] directive), so commands, options, values such as --format and
# the pool and site names of the fleet in the current directory (or -C DIR) always match the binary.
function __fleetctl_complete
    set -l line (commandline -cp)
    set -l program (commandline -opc)[1]
    set -l candidates ($program "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)
    if test (count $candidates) -gt 0
        printf '%s\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c fleetctl -f -a '(__fleetctl_complete)'
