# conf2man.awk: turn deploy/och.conf.example into the KEYS list of
# och.conf(5).  A "KEY=value" line is a key with an example value and the
# comment lines just above it as its description; a "#KEY=value   text"
# line (the tuning block) is an optional key with its default and text.
function esc(s) {
	gsub(/\\/, "\\e", s)
	sub(/^\./, "\\\\\\&.", s)
	return s
}
function flush_comment() { comment = "" }
/^[[:space:]]*$/ { flush_comment(); next }
/^#[A-Z][A-Z0-9_]*=/ {
	line = substr($0, 2)
	key = line; sub(/=.*/, "", key)
	rest = line; sub(/^[^=]*=/, "", rest)
	val = rest; text = ""
	if (match(rest, /[[:space:]][[:space:]]+/)) {
		val = substr(rest, 1, RSTART - 1)
		text = substr(rest, RSTART + RLENGTH)
	} else if (comment != "") {
		text = comment
	}
	print ".It Ev " key
	if (text != "") print esc(text)
	if (val != "") { print ".br"; print "Default: " esc(val) }
	else { print ".br"; print "Optional." }
	flush_comment(); next
}
/^[A-Z][A-Z0-9_]*=/ {
	key = $0; sub(/=.*/, "", key)
	val = $0; sub(/^[^=]*=/, "", val)
	print ".It Ev " key
	if (comment != "") print esc(comment)
	if (val != "") { print ".br"; print "Example: " esc(val) }
	flush_comment(); next
}
/^#/ {
	c = $0; sub(/^#[[:space:]]*/, "", c)
	if (c ~ /^---/) { flush_comment(); next }
	comment = comment == "" ? c : comment " " c
	next
}
