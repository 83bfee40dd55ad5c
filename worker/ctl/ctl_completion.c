/*
 * ctl_completion.c - `ferry ctl completion bash|zsh`: a completion script for the shell, which
 * completes commands, nouns, options and connector names (asked of the current target with
 * `ferry ctl get connectors -o json`, so completion follows --url and contexts).
 */
#include <string.h>

#include "ctl/ctl_commands.h"

static const char ctl_completion_bash[] =
    "# bash completion for ferry ctl: source <(ferry ctl completion bash)\n"
    "_ferry_ctl_connectors() {\n"
    "    ferry ctl get connectors -o json 2>/dev/null |\n"
    "        sed -n 's/^  \"\\([^\"]*\\)\": {$/\\1/p'\n"
    "}\n"
    "_ferry_ctl() {\n"
    "    local cur prev words cword\n"
    "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
    "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
    "    local commands=\"get describe apply create patch delete pause resume stop restart offsets "
    "logs config completion\"\n"
    "    local options=\"--url --context --user --password-file --token-file --cacert --cert "
    "--key --insecure --output --help\"\n"
    "    case \"$prev\" in\n"
    "        -o|--output) COMPREPLY=($(compgen -W \"table json yaml\" -- \"$cur\")); return ;;\n"
    "        -f|--file|--password-file|--token-file|--cacert|--cert|--key)\n"
    "            COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
    "        --context|use-context|delete-context)\n"
    "            COMPREPLY=($(compgen -W \"$(ferry ctl config get-contexts -o json 2>/dev/null |\n"
    "                sed -n 's/^    \"\\([^\"]*\\)\": {$/\\1/p')\" -- \"$cur\")); return ;;\n"
    "    esac\n"
    "    if [[ \"$cur\" == -* ]]; then\n"
    "        COMPREPLY=($(compgen -W \"$options --file --dry-run --include-tasks "
    "--only-failed --task --unset --scope\" -- \"$cur\")); return\n"
    "    fi\n"
    "    local i=1 ctl=0 command=\"\" noun=\"\"\n"
    "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
    "        case \"${COMP_WORDS[i]}\" in\n"
    "            -*) ;;\n"
    "            ctl) [ $ctl = 0 ] && { ctl=1; continue; } ;;\n"
    "        esac\n"
    "        [[ \"${COMP_WORDS[i]}\" == -* ]] && continue\n"
    "        if [ -z \"$command\" ]; then command=\"${COMP_WORDS[i]}\"\n"
    "        elif [ -z \"$noun\" ]; then noun=\"${COMP_WORDS[i]}\"; fi\n"
    "    done\n"
    "    case \"$command\" in\n"
    "        \"\") COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n"
    "        get) if [ -z \"$noun\" ]; then\n"
    "                COMPREPLY=($(compgen -W \"connectors plugins offsets tasks loggers\" -- "
    "\"$cur\"))\n"
    "             else COMPREPLY=($(compgen -W \"$(_ferry_ctl_connectors)\" -- \"$cur\")); fi ;;\n"
    "        describe) if [ -z \"$noun\" ]; then COMPREPLY=($(compgen -W \"connector\" -- "
    "\"$cur\"))\n"
    "             else COMPREPLY=($(compgen -W \"$(_ferry_ctl_connectors)\" -- \"$cur\")); fi ;;\n"
    "        offsets) if [ -z \"$noun\" ]; then COMPREPLY=($(compgen -W \"alter reset\" -- "
    "\"$cur\"))\n"
    "             else COMPREPLY=($(compgen -W \"$(_ferry_ctl_connectors)\" -- \"$cur\")); fi ;;\n"
    "        logs) COMPREPLY=($(compgen -W \"level\" -- \"$cur\")) ;;\n"
    "        config) COMPREPLY=($(compgen -W \"set-context use-context get-contexts "
    "current-context delete-context\" -- \"$cur\")) ;;\n"
    "        completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")) ;;\n"
    "        apply|create) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
    "        *) COMPREPLY=($(compgen -W \"$(_ferry_ctl_connectors)\" -- \"$cur\")) ;;\n"
    "    esac\n"
    "}\n"
    "complete -o default -F _ferry_ctl ferry\n";

static const char ctl_completion_zsh[] =
    "#compdef ferry\n"
    "# zsh completion for ferry ctl: source <(ferry ctl completion zsh)\n"
    "_ferry_ctl_connectors() {\n"
    "    local -a names\n"
    "    names=(${(f)\"$(ferry ctl get connectors -o json 2>/dev/null |\n"
    "        sed -n 's/^  \"\\([^\"]*\\)\": {$/\\1/p')\"})\n"
    "    _describe 'connector' names\n"
    "}\n"
    "_ferry() {\n"
    "    local -a commands\n"
    "    commands=(\n"
    "        'get:list connectors, plugins, offsets, tasks or loggers'\n"
    "        'describe:show a connector: config, tasks, topics, offsets, traces'\n"
    "        'apply:create or update a connector from a file'\n"
    "        'create:create a connector from a file'\n"
    "        'patch:change keys of a connector config'\n"
    "        'delete:delete a connector'\n"
    "        'pause:pause a connector' 'resume:resume a connector' 'stop:stop a connector'\n"
    "        'restart:restart a connector or its tasks'\n"
    "        'offsets:alter or reset offsets' 'logs:get or set log levels'\n"
    "        'config:manage contexts' 'completion:print a completion script'\n"
    "    )\n"
    "    if [[ $words[2] != ctl ]]; then\n"
    "        _values 'command' standalone distributed plugins ctl; return\n"
    "    fi\n"
    "    if (( CURRENT == 3 )); then _describe 'command' commands; return; fi\n"
    "    case $words[3] in\n"
    "        get) (( CURRENT == 4 )) && _values 'what' connectors plugins offsets tasks loggers "
    "|| _ferry_ctl_connectors ;;\n"
    "        describe) (( CURRENT == 4 )) && _values 'what' connector || _ferry_ctl_connectors "
    ";;\n"
    "        offsets) (( CURRENT == 4 )) && _values 'verb' alter reset || _ferry_ctl_connectors "
    ";;\n"
    "        logs) _values 'verb' level ;;\n"
    "        config) _values 'verb' set-context use-context get-contexts current-context "
    "delete-context ;;\n"
    "        completion) _values 'shell' bash zsh ;;\n"
    "        apply|create) _files ;;\n"
    "        *) _ferry_ctl_connectors ;;\n"
    "    esac\n"
    "}\n"
    "compdef _ferry ferry\n";

int ctl_completion_print(const ctl_args *args, FILE *out)
{
    const char *shell = ctl_args_word(args, 1);
    if (shell && strcmp(shell, "bash") == 0)
        fputs(ctl_completion_bash, out);
    else if (shell && strcmp(shell, "zsh") == 0)
        fputs(ctl_completion_zsh, out);
    else {
        fprintf(stderr, "ferry ctl: usage: completion bash|zsh\n");
        return CTL_EXIT_USAGE;
    }
    return CTL_EXIT_OK;
}
