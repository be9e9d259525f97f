#!/bin/sh
# Removes one SSH public key from every authorized keys file sshd reads on this Linux guest, then
# prints one JSON report. Contract, exit codes and safety rules: docs/guest-script.md.
# Inputs: REMOVE_KEY_TYPE and REMOVE_KEY_BLOB (set by a line the caller puts after the #! line)
# and GUEST_ROOT (empty on a real instance; a guest tree in tests), which prefixes every path used.

# Bytes, not characters: file contents and paths are compared and escaped byte by byte.
LC_ALL=C
export LC_ALL
umask 077
NL='
'
R=${GUEST_ROOT-}
R=${R%/}
export REMOVE_KEY_TYPE REMOVE_KEY_BLOB
REPORT=
scanned=0
removed=0
refused=0
failed=0

# Prints the JSON document from REPORT (records of four lines: status, user, path, detail).
render() {
  printf '%s' "$REPORT" | awk -v code="$1" -v msg="$2" -v scanned="$scanned" \
    -v removed="$removed" -v refused="$refused" -v failed="$failed" '
function str(s,   out, i, c, n, k, j, ok) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    n = ORD[c]
    if (c == "\"" || c == "\\") out = out "\\" c
    else if (n < 32 || n == 127) out = out sprintf("\\u%04x", n)
    else if (n < 128) out = out c
    else {
      # Valid UTF-8 goes through as is; any other byte becomes U+FFFD, so the JSON stays valid.
      k = (n >= 194 && n < 224) ? 1 : (n >= 224 && n < 240) ? 2 : (n >= 240 && n < 245) ? 3 : 0
      ok = k > 0
      for (j = 1; ok && j <= k; j++) {
        n = ORD[substr(s, i + j, 1)]
        ok = n >= 128 && n < 192
      }
      if (ok) { out = out substr(s, i, k + 1); i += k } else out = out "\\ufffd"
    }
  }
  return "\"" out "\""
}
BEGIN { for (i = 1; i < 256; i++) ORD[sprintf("%c", i)] = i }
{ F[++n] = $0 }
END {
  printf "{\"version\":1"
  if (code != "") printf ",\"error\":{\"code\":%s,\"message\":%s}", str(code), str(msg)
  printf ",\"files\":["
  for (i = 1; i + 3 <= n; i += 4) {
    printf "%s{\"user\":%s,\"path\":%s,\"status\":%s", (i > 1 ? "," : ""), str(F[i + 1]), str(F[i + 2]), str(F[i])
    if (F[i] == "removed") {
      lines = F[i + 3]
      count = lines == "" ? 0 : gsub(/ /, ",", lines) + 1
      printf ",\"removedCount\":%d,\"removedLines\":[%s]}", count, lines
    } else printf ",\"reason\":%s}", str(F[i + 3])
  }
  printf "],\"summary\":{\"filesScanned\":%d,\"linesRemoved\":%d,\"filesRefused\":%d,\"filesFailed\":%d}}\n", scanned, removed, refused, failed
}'
}

stop() {
  render "$2" "$3"
  exit "$1"
}

case ${REMOVE_KEY_TYPE-} in
'') stop 2 MissingKeyType 'REMOVE_KEY_TYPE is empty or unset.' ;;
*[!A-Za-z0-9@.-]*) stop 2 InvalidKeyType 'REMOVE_KEY_TYPE is not an OpenSSH key type.' ;;
esac
case ${REMOVE_KEY_BLOB-} in
'') stop 2 MissingKeyBlob 'REMOVE_KEY_BLOB is empty or unset.' ;;
*[!A-Za-z0-9+/=]*) stop 2 InvalidKeyBlob 'REMOVE_KEY_BLOB is not Base64.' ;;
esac
case $R in
'' | /*) ;;
*) stop 2 InvalidGuestRoot 'GUEST_ROOT is not an absolute path.' ;;
esac
[ -d "$R/" ] || stop 2 InvalidGuestRoot 'GUEST_ROOT is not a directory.'
[ -r "$R/etc/passwd" ] || stop 5 PasswdUnreadable '/etc/passwd cannot be read.'

# Prints the line numbers (space-separated) of the lines that hold the key, parsed as sshd parses
# an authorized keys line: optional options (quotes may hold spaces, \" escapes a quote), then
# type and Base64 blob, then anything. With OUT set, also writes every other line there, byte for
# byte, keeping the lack of a final newline when NOEOL is set.
MATCH='
function iskey(s,   type, blob) {
  if (!match(s, /^[^ \t]+/)) return 0
  type = substr(s, 1, RLENGTH)
  s = substr(s, RLENGTH + 1)
  if (!sub(/^[ \t]+/, "", s) || !match(s, /^[^ \t]+/)) return 0
  blob = substr(s, 1, RLENGTH)
  return type == ENVIRON["REMOVE_KEY_TYPE"] && blob == ENVIRON["REMOVE_KEY_BLOB"]
}
function pastoptions(s,   i, c, quoted) {
  quoted = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (!quoted && (c == " " || c == "\t")) break
    if (c == "\\" && substr(s, i + 1, 1) == "\"") i++
    else if (c == "\"") quoted = !quoted
  }
  if (quoted) return ""
  s = substr(s, i)
  sub(/^[ \t]+/, "", s)
  return s
}
BEGIN { out = ENVIRON["OUT"]; found = "" }
{
  s = $0
  sub(/\r$/, "", s)
  sub(/^[ \t]+/, "", s)
  hit = s != "" && substr(s, 1, 1) != "#" && (iskey(s) || iskey(pastoptions(s)))
  if (hit) found = found (found == "" ? "" : " ") NR
  else if (out != "") {
    if (held) printf "%s\n", kept > out
    kept = $0
    held = NR
  }
}
END {
  if (out != "" && held) printf (held == NR && ENVIRON["NOEOL"] != "" ? "%s" : "%s\n"), kept > out
  print found
}'

# Reads one sshd configuration file. Prints "A<token>" per AuthorizedKeysFile argument and
# "I<0|1><pattern>" per Include argument (1: inside a Match block). Arguments are split as OpenSSH splits them.
CONFIG='
function args(s,   n, i, c, q, a, d) {
  n = 0
  while (s != "") {
    sub(/^[ \t]+/, "", s)
    if (s == "" || substr(s, 1, 1) == "#") break
    a = ""; q = ""
    for (i = 1; i <= length(s); i++) {
      c = substr(s, i, 1)
      d = substr(s, i + 1, 1)
      if (c == "\\" && (d == "\"" || d == "\047" || d == "\\" || (q == "" && d == " "))) { a = a d; i++ }
      else if (q == "" && (c == " " || c == "\t")) break
      else if (q == "" && (c == "\"" || c == "\047")) q = c
      else if (q != "" && c == q) q = ""
      else a = a c
    }
    A[++n] = a
    s = substr(s, i + 1)
  }
  return n
}
{
  s = $0
  sub(/\r$/, "", s)
  sub(/^[ \t]+/, "", s)
  if (s == "" || substr(s, 1, 1) == "#" || !match(s, /^[^ \t=]+/)) next
  key = tolower(substr(s, 1, RLENGTH))
  s = substr(s, RLENGTH + 1)
  sub(/^[ \t]*=?/, "", s)
  inmatch = inmatch || key == "match" || ENVIRON["IN_MATCH"] == 1
  if (key == "authorizedkeysfile") {
    n = args(s)
    for (i = 1; i <= n; i++) if (A[i] != "none") print "A" A[i]
  } else if (key == "include") {
    n = args(s)
    for (i = 1; i <= n; i++) print "I" (inmatch ? 1 : 0) A[i]
  }
}'

# Reads /etc/passwd: for each well-formed entry and each AuthorizedKeysFile token, prints five
# lines: F (or T for a token sshd does not know), user, uid, home (no trailing slash), path.
EXPAND='
BEGIN { FS = ":"; tokens = split(ENVIRON["TOKENS"], T, "\n") }
{ sub(/\r$/, "") }
NF != 7 || $1 == "" || $1 ~ /^[+-]/ || $3 !~ /^[0-9]+$/ || $6 !~ /^\// { next }
{
  home = $6
  gsub(/\/+/, "/", home)
  sub(/\/$/, "", home)
  for (i = 1; i <= tokens; i++) {
    t = T[i]; p = ""; bad = 0
    if (t == "") continue
    while ((j = index(t, "%")) > 0) {
      c = substr(t, j + 1, 1)
      p = p substr(t, 1, j - 1)
      if (c == "%") p = p "%"
      else if (c == "h") p = p home
      else if (c == "u") p = p $1
      else if (c == "U") p = p $3
      else bad = 1
      t = substr(t, j + 2)
    }
    p = p t
    if (substr(p, 1, 1) != "/") p = home "/" p
    gsub(/\/+/, "/", p)
    print (bad ? "T" : "F"); print $1; print $3; print home; print (bad ? T[i] : p)
  }
}'

# Collects the AuthorizedKeysFile tokens of sshd_config and the files it includes.
tokens=
todo="0$R/etc/ssh/sshd_config"
files=0
while [ -n "$todo" ] && [ "$files" -lt 64 ]; do
  item=${todo%%"$NL"*}
  case $todo in *"$NL"*) todo=${todo#*"$NL"} ;; *) todo= ;; esac
  config=${item#?}
  [ -f "$config" ] || continue
  files=$((files + 1))
  parsed=$(IN_MATCH=${item%"$config"} awk "$CONFIG" "$config" 2>/dev/null) || continue
  while IFS= read -r line; do
    case $line in
    A*) tokens=$tokens${line#A}$NL ;;
    I*)
      pattern=${line#I?}
      flag=${line#I}
      flag=${flag%"$pattern"}
      case $pattern in /*) ;; *) pattern=/etc/ssh/$pattern ;; esac
      saved=$IFS
      IFS=$NL
      for match in $R$pattern; do todo=$todo${todo:+$NL}$flag$match; done
      IFS=$saved
      ;;
    esac
  done <<EOF
$parsed
EOF
done
# sshd's default files are always covered, even when the setting names others: a key left in a
# file sshd does not read now would work again the day the setting goes back to its default (a
# package upgrade that replaces sshd_config does that).
tokens=$tokens.ssh/authorized_keys$NL.ssh/authorized_keys2$NL

# Appends one record to the report.
report() {
  REPORT=$REPORT$1$NL$user$NL$path$NL$2$NL
}

refuse() {
  report refused "$1"
  refused=$((refused + 1))
}

fail() {
  report failed "$1"
  failed=$((failed + 1))
}

# True when a directory is not safe to write in as root: others (group or world) may write it,
# or someone other than root or the user owns it. Symbolic links were refused before.
unsafe_dir() {
  set -- $(stat -L -c '%a %u' "$1" 2>/dev/null)
  [ $# -eq 2 ] || return 0
  [ $((0$1 & 022)) -ne 0 ] || { [ "$2" != 0 ] && [ "$2" != "$uid" ]; }
}

# Removes the key from one file ($path on the guest), if it is there and safe to rewrite. A file
# that does not exist is nothing to do, even behind an unsafe directory; a directory the script
# cannot search (not run as root, or a network home that maps root to nobody) is a failure, not
# an absent file.
process() {
  case $path in
  "$home"/*) dir=$R$home rest=${path#"$home"/} inside=1 ;;
  *) dir=$R rest=${path#/} inside= ;;
  esac
  unsafe=
  unsafe_dir "$dir/" && unsafe=UnsafeDirectory
  while :; do
    if [ ! -x "$dir/" ]; then fail Unsearchable; return; fi
    case $rest in */*) ;; *) break ;; esac
    dir=$dir/${rest%%/*}
    rest=${rest#*/}
    [ -z "$inside" ] || [ ! -L "$dir" ] || unsafe=${unsafe:-SymlinkedDirectory}
    [ -d "$dir" ] || return 0
    [ -n "$unsafe" ] || ! unsafe_dir "$dir" || unsafe=UnsafeDirectory
  done
  file=$dir/$rest
  [ -e "$file" ] || [ -L "$file" ] || return 0
  if [ -n "$unsafe" ]; then refuse "$unsafe"; return; fi
  if [ -L "$file" ]; then refuse Symlink; return; fi
  if [ ! -f "$file" ]; then refuse NotRegularFile; return; fi
  # A rename would leave the key in the file's other names.
  if [ "$(stat -c %h "$file")" != 1 ]; then refuse HardLinked; return; fi
  scanned=$((scanned + 1))
  if ! lines=$(OUT= awk "$MATCH" "$file" 2>/dev/null); then fail ReadFailed; return; fi
  [ -n "$lines" ] || return 0
  noeol=
  [ -z "$(tail -c 1 "$file")" ] || noeol=1
  meta=$(stat -c '%u:%g %a' "$file")
  if tmp=$(mktemp "$dir/.$rest.XXXXXX" 2>/dev/null); then
    if lines=$(OUT=$tmp NOEOL=$noeol awk "$MATCH" "$file" 2>/dev/null) &&
      chown "${meta% *}" "$tmp" 2>/dev/null && chmod "${meta#* }" "$tmp" 2>/dev/null &&
      mv -f "$tmp" "$file" 2>/dev/null; then
      report removed "$lines"
      set -- $lines
      removed=$((removed + $#))
      return
    fi
    rm -f "$tmp"
  fi
  fail WriteFailed
}

seen=$NL
records=$(TOKENS=$tokens awk "$EXPAND" "$R/etc/passwd" 2>/dev/null) ||
  stop 5 PasswdUnreadable '/etc/passwd cannot be read.'
while IFS= read -r kind && IFS= read -r user && IFS= read -r uid && IFS= read -r home &&
  IFS= read -r path; do
  [ -d "$R$home/" ] || continue
  case $seen in *"$NL$path$NL"*) continue ;; esac
  seen=$seen$path$NL
  if [ "$kind" = T ]; then refuse UnsupportedToken; else process; fi
done <<EOF
$records
EOF

if [ "$failed" -gt 0 ]; then stop 4; fi
if [ "$refused" -gt 0 ]; then stop 3; fi
stop 0
