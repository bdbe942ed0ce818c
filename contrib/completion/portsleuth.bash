# bash completion for portsleuth(1)
#
# The subcommands, and each one's options as its own --help lists them
# (so the completion follows the program), with file, directory, user,
# PID, host and namespace arguments where an option takes one.

# Every option "portsleuth CMD --help" names (a line may name several).
_portsleuth_options()
{
    "$1" "$2" --help 2>/dev/null |
        command grep -oE -- '(^|[ ,])--?[a-zA-Z0-9][a-zA-Z0-9-]*' |
        command sed 's/^[ ,]//' | command sort -u
}

_portsleuth()
{
    local cur prev words cword split
    _init_completion -s || return

    local cmds="list explain audit probe baseline diff metrics check
        hidden watch packet firewall"
    local cmd=
    if ((cword > 1)) && [[ " ${cmds//$'\n'/ } " == *" ${words[1]} "* ]]; then
        cmd=${words[1]}
    fi

    case $prev in
        --root | --textfile)
            _filedir -d
            return
            ;;
        --replay | --record | --iana | --kb | --rules | --policy | --baseline)
            _filedir
            return
            ;;
        --netns)
            local ns
            ns=$(command ls /run/netns 2>/dev/null)
            COMPREPLY=($(compgen -W 'all host self $ns' -- "$cur"))
            return
            ;;
        --color | --colour)
            COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
            return
            ;;
        --user | -U)
            COMPREPLY=($(compgen -u -- "$cur"))
            return
            ;;
        --pid)
            _pids
            return
            ;;
        --warning | --critical | -w | -c)
            if [[ $cmd == check ]]; then
                compopt -o nospace
                COMPREPLY=($(compgen -W 'listeners= exposed= changes= new=
                    gone= changed= widened= unexpected= missing=
                    integrity= mismatches= notes=' -- "$cur"))
                return
            fi
            # the listing's -c NAME takes a free argument; -w is --raw
            [[ $prev == -c ]] && return
            ;;
        -t)
            # check's timeout; elsewhere --tcp, which takes nothing
            [[ $cmd == check ]] && return
            ;;
        --port | -p | --from | --probe-timeout | --timeout | --threads | \
            --max-series | --command)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '$(_portsleuth_options "$1" "${cmd:-list}")' \
            -- "$cur"))
        return
    fi
    if [[ -z $cmd ]] && ((cword == 1)); then
        COMPREPLY=($(compgen -W '$cmds' -- "$cur"))
        return
    fi
    case $cmd in
        baseline | diff) _filedir ;;
        probe) _known_hosts_real -- "$cur" ;;
    esac
} &&
    complete -F _portsleuth portsleuth

# ex: filetype=sh
