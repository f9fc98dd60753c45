# bash completion for quotedb(1).
#
# Installed as $(PREFIX)/share/bash-completion/completions/quotedb, where
# bash-completion loads it on first use; or source it from ~/.bashrc.
# It needs nothing from bash-completion but uses its _filedir when there.
# The option lists follow each command's --help (core/cli/cmd_*.c).

_quotedb_commands="init import sync add list search show delete sources
speakers speaker outlets outlet export formats verify check extract render
info help"

_quotedb_filters="--speaker --outlet --reported-by --tag --language --source
--from --to --strict-dates --id --search --fts --sort --limit --db --help"

_quotedb_add_opts="--text --speaker --role --date --date-text --outlet
--programme --occasion --reported-by --source --source-author --source-date
--source-url --source-file --locator --language --translated --original
--context --tag
--id --db --help"

# Offers the words of $1 that start with $cur.
_quotedb_words()
{
	local IFS=$' \t\n'
	COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}

# Offers the lines on stdin that start with $cur, quoted for the shell
# (names hold spaces: "John Kirby").
_quotedb_lines()
{
	local line c=${cur//\\/}
	c=${c#[\"\']}
	while IFS= read -r line; do
		[[ -n $line && $line == "$c"* ]] &&
			COMPREPLY+=("$(printf '%q' "$line")")
	done
}

# Files (or, with -d, directories); $1 is an extglob of extensions.
_quotedb_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$@"
		return
	fi
	local IFS=$'\n'
	if [[ $1 == -d ]]; then
		COMPREPLY+=($(compgen -d -- "$cur"))
	else
		COMPREPLY+=($(compgen -f -- "$cur"))
	fi
	compopt -o filenames 2>/dev/null
}

# Runs quotedb (as typed on the line) on the database the line names.
_quotedb_run()
{
	"$_quotedb_prog" ${_quotedb_db:+--db "$_quotedb_db"} "$@" 2>/dev/null
}

# Export formats: the first column of 'quotedb formats' (refused plugins,
# listed as "path: refused: ...", left out), else the shipped ones.
_quotedb_formats()
{
	local f
	f=$(_quotedb_run formats |
		awk '/^[^ \t]/ && $1 !~ /:$/ { print $1 }')
	printf '%s\n' "${f:-csv
html
json
latex
markdown
yaml}"
}

# The options of the format named on the line, as "key=".
_quotedb_format_options()
{
	local fmt=$1
	_quotedb_run formats | awk -v fmt="$fmt" '
		/^[^ \t]/ { cur = $1; next }
		(fmt == "" || cur == fmt) && $1 == "-O" {
			sub(/=.*/, "=", $2); print $2 }'
}

_quotedb()
{
	local cur prev words cword
	COMPREPLY=()
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]}
	prev=${words[cword-1]}
	# bash splits "--db=x" into "--db", "=", "x": join them back.
	if [[ $cur == = ]]; then
		prev=${words[cword-1]}
		cur=""
	elif [[ $prev == = && $cword -ge 2 ]]; then
		prev=${words[cword-2]}
	fi
	[[ $cur == --*=* ]] && { prev=${cur%%=*}; cur=${cur#*=}; }

	_quotedb_prog=${words[0]}
	[[ $_quotedb_prog == \~/* ]] && _quotedb_prog=$HOME/${_quotedb_prog#\~/}
	_quotedb_db=""

	# The command is the first word that is neither an option nor the
	# value of --db; note --db wherever it is.
	local i cmd="" cmdi=0 sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--db)
			_quotedb_db=${words[i+1]}
			if [[ $_quotedb_db == = ]]; then
				_quotedb_db=${words[i+2]}
				((i += 2))
			else
				((i += 1))
			fi ;;
		--db=*) _quotedb_db=${words[i]#--db=} ;;
		-*|=) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
				cmdi=$i
			elif [[ -z $sub ]]; then
				sub=${words[i]}
			fi ;;
		esac
	done
	[[ $_quotedb_db == \~/* ]] && _quotedb_db=$HOME/${_quotedb_db#\~/}

	# Values of options, wherever they appear.
	case $prev in
	--db)
		_quotedb_files
		return ;;
	--speaker)
		if [[ $cmd != add ]]; then
			_quotedb_lines < <(_quotedb_run speakers |
				cut -f2,3 | tr '\t;' '\n\n' | sed 's/^ *//')
		fi
		return ;;
	--outlet)
		if [[ $cmd != add ]]; then
			_quotedb_lines < <(_quotedb_run outlets |
				cut -f2,3 | tr '\t;' '\n\n' | sed 's/^ *//')
		fi
		return ;;
	--sort)
		_quotedb_words "date speaker outlet source added rank"
		return ;;
	--id)
		[[ $cmd != add ]] &&
			_quotedb_lines < <(_quotedb_run list | cut -f1)
		return ;;
	-f|--format)
		if [[ $cmd == check ]]; then
			_quotedb_words "md tex txt"
		else
			_quotedb_lines < <(_quotedb_formats)
		fi
		return ;;
	-o|--output|--source-file|--cited-in)
		_quotedb_files
		return ;;
	--split)
		_quotedb_files -d
		return ;;
	-t)
		[[ $cmd == render ]] && _quotedb_words "markdown html text"
		return ;;
	--to)
		# render's output format; the filters' date otherwise
		[[ $cmd == render ]] && _quotedb_words "markdown html text"
		return ;;
	--source)
		[[ $cmd != add ]] && _quotedb_files
		return ;;
	--against)
		_quotedb_files
		return ;;
	-O|--option)
		local j fmt=""
		for ((j = cmdi + 1; j < cword; j++)); do
			case ${words[j]} in
			-f|--format) fmt=${words[j+1]} ;;
			--format=*) fmt=${words[j]#--format=} ;;
			esac
		done
		_quotedb_words "$(_quotedb_format_options "$fmt")"
		compopt -o nospace 2>/dev/null
		return ;;
	--reported-by|--tag|--language|--from|--search|--limit|\
	--text|--role|--date|--date-text|--programme|--occasion|\
	--source-author|--source-date|--source-url|--locator|--translated|\
	--original|--context)
		return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_quotedb_words "--db --help --version"
		else
			_quotedb_words "$_quotedb_commands"
		fi
		return
	fi

	case $cmd in
	sources)
		_quotedb_words "--json --db --help" ;;
	init)
		_quotedb_words "--db --help" ;;
	speakers|outlets|info|formats)
		_quotedb_words "--db --help --json" ;;
	help)
		[[ -z $sub ]] && _quotedb_words "$_quotedb_commands" ;;
	import)
		if [[ $cur == -* ]]; then
			_quotedb_words "--strict --db --help"
		else
			_quotedb_files '@(yaml|yml)'
		fi ;;
	sync)
		if [[ $cur == -* ]]; then
			_quotedb_words "-n --dry-run --strict --db --help"
		else
			_quotedb_files '@(yaml|yml)'
		fi ;;
	add)
		_quotedb_words "$_quotedb_add_opts" ;;
	list|search)
		[[ $cur == -* ]] && _quotedb_words "$_quotedb_filters --json" ;;
	verify)
		[[ $cur == -* ]] &&
			_quotedb_words "$_quotedb_filters --against" ;;
	check)
		if [[ $cur == -* ]]; then
			_quotedb_words "-f --format --json -a --all --strict
				--db --help"
		else
			_quotedb_files '@(md|markdown|tex|ltx|txt)'
		fi ;;
	export)
		_quotedb_words "$_quotedb_filters -f --format -o --output
			-O --option --cited-in --split --force" ;;
	extract)
		if [[ $cur == -* ]]; then
			_quotedb_words "-o --output --db --help"
		else
			_quotedb_files '@(txt|md|markdown|text)'
		fi ;;
	render)
		if [[ $cur == -* ]]; then
			_quotedb_words "-o --output -t --to --appendix --db --help"
		else
			_quotedb_files '@(md|markdown|txt|html|tex)'
		fi ;;
	show|delete)
		if [[ $cur == -* ]]; then
			_quotedb_words "--db --help"
			[[ $cmd == show ]] && _quotedb_words "--json"
		else
			_quotedb_lines < <(_quotedb_run list | cut -f1)
		fi ;;
	speaker|outlet)
		if [[ $cur == -* ]]; then
			_quotedb_words "--db --help --json --yes"
		elif [[ -z $sub ]]; then
			_quotedb_words "alias merge"
		else
			# NAME, ALIAS, INTO or FROM: the names known so far.
			_quotedb_lines < <(_quotedb_run "${cmd}s" | cut -f2)
		fi ;;
	esac
}

complete -F _quotedb quotedb
