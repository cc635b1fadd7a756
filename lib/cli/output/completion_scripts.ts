/**
 * The shell completion scripts for awsmfa (pure): bash, zsh, fish and
 * PowerShell, written from the {@link CompletionSpec} of `completion_spec.ts`.
 *
 * @module
 */
import type {
  CompletionCommand,
  CompletionFlag,
  CompletionShell,
  CompletionSpec,
  CompletionValues,
} from "./completion_spec.ts";

/** The completion script for `shell`. */
export function completionScript(spec: CompletionSpec, shell: CompletionShell): string {
  switch (shell) {
    case "bash":
      return bashScript(spec);
    case "zsh":
      return zshScript(spec);
    case "fish":
      return fishScript(spec);
    case "powershell":
      return powershellScript(spec);
  }
}

/** Every spelling of a flag, long first. */
function spellings(flag: CompletionFlag): string[] {
  return flag.short ? [`--${flag.name}`, `-${flag.short}`] : [`--${flag.name}`];
}

/** A word safe to put unquoted in any of the shells (names and choices are plain). */
function plain(word: string): string {
  if (!/^[\w.:@%+,/=-]+$/.test(word)) throw new Error(`completion: not a plain word: ${word}`);
  return word;
}

function header(spec: CompletionSpec, shell: string): string {
  return `# ${shell} completion for ${spec.program}, written by '${spec.program} completions ${shell}'.\n`;
}

/** How the bash and zsh scripts spell a subcommand's arm of their `case "$cmd"`. */
interface ArmSyntax {
  /** The empty word: the default subcommand's arm also matches no subcommand. */
  empty: string;
  /** The `case` on the word before the cursor. */
  casePrev: string;
  /** The command that offers `values` (as {@link ArmSyntax.values} spells them). */
  offer: (values: string) => string;
  /** A list of words as a variable's value. */
  list: (words: string[]) => string;
  values: (v: CompletionValues | undefined) => string;
  /** What `positional` holds for profile names, which are read only when offered. */
  profileMarker: string;
}

/**
 * A subcommand's `case` arm in bash and zsh: the values of the flag before
 * the cursor, its flags, those taking a value, and what its positional takes.
 */
function caseArm(command: CompletionCommand, spec: CompletionSpec, syntax: ArmSyntax): string {
  const valueFlags = command.flags.filter((f) => f.value);
  const cases = valueFlags.map((f) =>
    `        ${spellings(f).join("|")}) ${syntax.offer(syntax.values(f.value))}; return ;;`
  );
  const name = command.name === spec.defaultCommand
    ? `${command.name}|${syntax.empty}`
    : command.name;
  return [
    `    ${name})`,
    ...(cases.length ? [`      ${syntax.casePrev}`, ...cases, `      esac`] : []),
    `      flags=${syntax.list(command.flags.map((f) => `--${f.name}`))}`,
    `      taking=${syntax.list(valueFlags.flatMap(spellings))}`,
    `      positional=${
      command.positional.kind === "profile"
        ? syntax.profileMarker
        : syntax.values(command.positional)
    }`,
    `      ;;`,
  ].join("\n");
}

/** bash's spelling of the `case` arms; `fn` is the completion function's name. */
function bashArms(fn: string): ArmSyntax {
  return {
    empty: '""',
    casePrev: 'case "$prev" in',
    offer: (values) => `${fn}_reply ${values}`,
    list: (words) => `"${words.join(" ")}"`,
    values: (v) =>
      v?.kind === "profile"
        ? `"$(${fn}_profiles)"`
        : v?.kind === "choices"
        ? `"${v.choices.map(plain).join(" ")}"`
        : '""',
    profileMarker: "@profile",
  };
}

function bashScript(spec: CompletionSpec): string {
  const p = spec.program;
  const fn = `_${p.replace(/\W/g, "_")}`;
  const names = spec.commands.map((c) => plain(c.name)).join(" ");
  const blocks = spec.commands.map((command) => caseArm(command, spec, bashArms(fn)));
  return `${header(spec, "bash")}# Load it in ~/.bashrc: eval "$(${p} completions bash)"

${fn}_profiles() {
  command ${p} completions --list-profiles 2>/dev/null
}

${fn}_reply() {
  local IFS=$' \\t\\n'
  COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" start=1 i
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  local commands="${names}"
  if ((COMP_CWORD > 1)) && [[ " $commands " == *" \${COMP_WORDS[1]} "* ]]; then
    cmd="\${COMP_WORDS[1]}"
    start=2
  fi
  local flags="" taking="" positional=""
  for ((i = start; i < COMP_CWORD; i++)); do
    if [[ \${COMP_WORDS[i]} == -- ]]; then
      [[ $cmd == ${spec.commands.find((c) => c.runsCommand)?.name ?? "exec"} ]] || return 0
      if declare -F _command_offset >/dev/null 2>&1; then
        _command_offset $((i + 1))
      elif ((COMP_CWORD == i + 1)); then
        COMPREPLY=($(compgen -c -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi
      return 0
    fi
  done
  case "$cmd" in
${blocks.join("\n")}
  esac
  if [[ " $taking " == *" $prev "* ]]; then
    COMPREPLY=()
    return 0
  fi
  if [[ $cur == -* ]]; then
    ${fn}_reply "$flags --help --verbose"
    ((COMP_CWORD == 1)) && ${fn}_reply "$flags --help --verbose --version"
    return 0
  fi
  local given=0
  for ((i = start; i < COMP_CWORD; i++)); do
    if [[ " $taking " == *" \${COMP_WORDS[i]} "* ]]; then
      ((i++))
    elif [[ \${COMP_WORDS[i]} != -* ]]; then
      ((given++))
    fi
  done
  ((given > 0)) && return 0
  [[ $positional == @profile ]] && positional="$(${fn}_profiles)"
  if ((COMP_CWORD == 1)); then
    ${fn}_reply "$commands $positional"
  else
    ${fn}_reply "$positional"
  fi
  return 0
}

complete -F ${fn} ${p}
`;
}

/** zsh's spelling of the `case` arms; `fn` is the completion function's name. */
function zshArms(fn: string): ArmSyntax {
  return {
    empty: "''",
    casePrev: "case $prev in",
    offer: (values) => `values=${values}; compadd -a values`,
    list: (words) => `(${words.join(" ")})`,
    values: (v) =>
      v?.kind === "profile"
        ? `(\${(f)"$(${fn}_profiles)"})`
        : v?.kind === "choices"
        ? `(${v.choices.map(plain).join(" ")})`
        : "()",
    profileMarker: "(@profile)",
  };
}

function zshScript(spec: CompletionSpec): string {
  const p = spec.program;
  const fn = `_${p.replace(/\W/g, "_")}`;
  const commandLines = spec.commands.map((c) =>
    `    '${plain(c.name)}:${c.summary.replaceAll("'", "'\\''").replaceAll(":", "\\:")}'`
  );
  const blocks = spec.commands.map((command) => caseArm(command, spec, zshArms(fn)));
  return `#compdef ${p}
${
    header(spec, "zsh")
  }# Save it as _${p} in a directory of $fpath, or load it: source <(${p} completions zsh)

${fn}_profiles() {
  command ${p} completions --list-profiles 2>/dev/null
}

${fn}() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd='' start=2 i
  local -a commands flags taking positional values
  commands=(
${commandLines.join("\n")}
  )
  if ((CURRENT > 2)) && (( \${commands[(I)\${words[2]}:*]} )); then
    cmd=\${words[2]}
    start=3
  fi
  for ((i = start; i < CURRENT; i++)); do
    if [[ \${words[i]} == -- ]]; then
      [[ $cmd == ${spec.commands.find((c) => c.runsCommand)?.name ?? "exec"} ]] || return 1
      shift $i words
      ((CURRENT -= i))
      _normal
      return
    fi
  done
  case $cmd in
${blocks.join("\n")}
  esac
  if (( \${taking[(I)$prev]} )); then
    return 1
  fi
  if [[ $cur == -* ]]; then
    values=($flags --help --verbose)
    ((CURRENT == 2)) && values+=(--version)
    compadd -a values
    return
  fi
  local given=0
  for ((i = start; i < CURRENT; i++)); do
    if (( \${taking[(I)\${words[i]}]} )); then
      ((i++))
    elif [[ \${words[i]} != -* ]]; then
      ((given++))
    fi
  done
  ((given > 0)) && return 1
  [[ $positional == @profile ]] && positional=(\${(f)"$(${fn}_profiles)"})
  if ((CURRENT == 2)); then
    _describe -t commands 'command' commands
  fi
  compadd -a positional
}

if [[ $zsh_eval_context[-1] == loadautoload ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${p}
fi
`;
}

/** Text in fish's single quotes. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => "\\" + c)}'`;
}

/** The fish `complete` lines of each subcommand: its name, its flags and their values, its positional. */
function fishCommandLines(spec: CompletionSpec, fn: string): string[] {
  const p = spec.program;
  const names = spec.commands.map((c) => plain(c.name)).join(" ");
  const quote = fishQuote;
  const lines: string[] = [];
  const values = (v: CompletionValues | undefined) =>
    v?.kind === "profile"
      ? ` -a '(${fn}_profiles)'`
      : v?.kind === "choices"
      ? ` -a ${quote(v.choices.map(plain).join(" "))}`
      : "";
  for (const command of spec.commands) {
    lines.push(
      `complete -c ${p} -n '${fn}_first_word' -a ${plain(command.name)} -d ${
        quote(command.summary)
      }`,
    );
  }
  for (const command of spec.commands) {
    const condition = command.name === spec.defaultCommand
      ? `begin; __fish_seen_subcommand_from ${command.name}; or not __fish_seen_subcommand_from ${names}; end; and not ${fn}_after_dashdash`
      : `__fish_seen_subcommand_from ${command.name}; and not ${fn}_after_dashdash`;
    for (const flag of command.flags) {
      const short = flag.short ? ` -s ${flag.short}` : "";
      const takes = flag.value ? " -x" : "";
      lines.push(
        `complete -c ${p} -n '${condition}' -l ${plain(flag.name)}${short}${takes}${
          values(flag.value)
        } -d ${quote(flag.help ?? "")}`,
      );
    }
    if (command.positional.kind !== "none") {
      lines.push(
        `complete -c ${p} -n '${condition}; and ${fn}_needs_positional ${
          command.flags.filter((f) => f.value).flatMap(spellings).join(" ")
        }'${values(command.positional)}`,
      );
    }
  }
  return lines;
}

function fishScript(spec: CompletionSpec): string {
  const p = spec.program;
  const fn = `__${p.replace(/\W/g, "_")}`;
  const names = spec.commands.map((c) => plain(c.name)).join(" ");
  const runner = spec.commands.find((c) => c.runsCommand)?.name ?? "exec";
  return `${
    header(spec, "fish")
  }# Save it as ~/.config/fish/completions/${p}.fish, or load it: ${p} completions fish | source

function ${fn}_profiles
    command ${p} completions --list-profiles 2>/dev/null
end

function ${fn}_first_word
    test (count (commandline -opc)) -eq 1
end

function ${fn}_after_dashdash
    contains -- -- (commandline -opc)
end

function ${fn}_needs_positional
    # One positional at most: none given yet (the subcommand and the values
    # of the flags named in $argv do not count).
    set -l words (commandline -opc)[2..-1]
    if set -q words[1]; and contains -- $words[1] ${names}
        set -e words[1]
    end
    set -l skip 0
    for word in $words
        if test $skip -eq 1
            set skip 0
        else if contains -- $word $argv
            set skip 1
        else if not string match -q -- '-*' $word
            return 1
        end
    end
    return 0
end

function ${fn}_command
    set -l words (commandline -opc)
    set -l at (contains -i -- -- $words)
    set -l rest $words[(math $at + 1)..-1]
    complete -C (string join ' ' -- (string escape -- $rest) (commandline -ct))
end

complete -c ${p} -f
complete -c ${p} -n '__fish_seen_subcommand_from ${runner}; and ${fn}_after_dashdash' -a '(${fn}_command)'
complete -c ${p} -n 'not ${fn}_after_dashdash' -s h -l help -d 'Show this help'
complete -c ${p} -n 'not ${fn}_after_dashdash' -s v -l verbose -d 'Explain each step on stderr'
complete -c ${p} -n '${fn}_first_word' -s V -l version -d 'Print the version'
${fishCommandLines(spec, fn).join("\n")}
`;
}

function powershellScript(spec: CompletionSpec): string {
  const p = spec.program;
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const list = (items: string[]) => `@(${items.map(quote).join(", ")})`;
  const values = (v: CompletionValues | undefined) =>
    v?.kind === "profile" ? "'profile'" : v?.kind === "choices" ? list(v.choices) : "$null";
  const entries = spec.commands.map((command) => {
    const valueFlags = command.flags.filter((f) => f.value);
    const taking = valueFlags.map((f) =>
      spellings(f).map((s) => `${quote(s)} = ${values(f.value)}`).join("; ")
    );
    return `  ${quote(command.name)} = @{
    Summary = ${quote(command.summary)}
    Flags = ${list([...command.flags.map((f) => `--${f.name}`), "--help", "--verbose"])}
    Values = @{ ${taking.join("; ")} }
    Positional = ${values(command.positional)}
    RunsCommand = $${command.runsCommand}
  }`;
  });
  return `${
    header(spec, "PowerShell")
  }# Load it in your $PROFILE: ${p} completions powershell | Out-String | Invoke-Expression

$__${p}Commands = @{
${entries.join("\n")}
}

Register-ArgumentCompleter -Native -CommandName ${p} -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } |
    ForEach-Object { $_.Extent.Text })
  $profiles = { @(& ${p} completions --list-profiles 2>$null) }
  $name = ${quote(spec.defaultCommand)}
  $start = 1
  if ($words.Count -gt 1 -and $__${p}Commands.ContainsKey($words[1])) { $name = $words[1]; $start = 2 }
  $command = $__${p}Commands[$name]
  if ($words.Count -gt $start -and ($words[$start..($words.Count - 1)] -contains '--')) { return }
  $prev = if ($words.Count -gt 0) { $words[-1] } else { '' }
  $candidates = @()
  if ($command.Values.ContainsKey($prev)) {
    $v = $command.Values[$prev]
    if ($v -eq 'profile') { $candidates = & $profiles } elseif ($v) { $candidates = $v }
  } elseif ($wordToComplete -like '-*') {
    $candidates = $command.Flags
    if ($words.Count -eq 1) { $candidates += '--version' }
  } else {
    if ($words.Count -eq 1) { $candidates += $__${p}Commands.Keys | Sort-Object }
    if ($command.Positional -eq 'profile') { $candidates += & $profiles }
    elseif ($command.Positional) { $candidates += $command.Positional }
  }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}
