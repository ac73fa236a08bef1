# report.awk: the report of run.sh, from its results.raw; checks each result
# against the expected-failure list.  Variables (-v): modes, work, uid, src,
# timeout, elhver, expected.  Exit status 1 when a result is unexpected.
function glob2re(g,   r, i, c) {
	r = "^"
	for (i = 1; i <= length(g); i++) {
		c = substr(g, i, 1)
		if (c == "*") r = r ".*"
		else if (c == "?") r = r "."
		else if (index("\\^$.[]|()+{}", c)) r = r "\\" c
		else r = r c
	}
	return r "$"
}
BEGIN {
	nm = split(modes, mode, " ")
	ncat = split("functional regression math api musl", cats, " ")
	# The expected-failure list: MODES TEST  # reason
	while ((getline line < expected) > 0) {
		reason = line
		if (!sub(/^[^#]*#[ \t]*/, "", reason)) reason = ""
		sub(/#.*/, "", line)
		sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line)
		if (line == "") continue
		n = split(line, f, /[ \t]+/)
		if (n != 2) { printf "%s: bad line: %s\n", expected, line; bad = 1; continue }
		ne++
		eraw[ne] = f[1] "  " f[2]; ereason[ne] = reason; eroot[ne] = 0
		mpat = f[1]
		if (mpat ~ /@root$/) { sub(/@root$/, "", mpat); eroot[ne] = 1 }
		k = split(mpat, mp, ",")
		emode[ne] = ""
		for (j = 1; j <= k; j++) emode[ne] = emode[ne] (j > 1 ? "|" : "") substr(glob2re(mp[j]), 2, length(glob2re(mp[j])) - 2)
		emode[ne] = "^(" emode[ne] ")$"
		etest[ne] = glob2re(f[2])
	}
}
$1 == "NA" { na[$2] = $0; sub(/^NA [^ ]+ /, "", na[$2]); next }
$1 == "R" {
	m = $2; t = $3; r = $4
	if (!(t in seen)) { seen[t] = 1; tests[++nt] = t }
	res[t, m] = r; ms[t, m] = $5
	c = t; sub(/\/.*/, "", c)
	tot[c, m]++; cnt[c, m, r]++; catn[c]++; tot["all", m]++; cnt["all", m, r]++
	if ($5 + 0 > slow_ms[m]) { slow_ms[m] = $5 + 0; slow_t[m] = t }
}
END {
	# Check every result against the list.
	for (i = 1; i <= nt; i++) {
		t = tests[i]
		for (j = 1; j <= nm; j++) {
			m = mode[j]
			if (m in na) continue
			hit = 0
			for (e = 1; e <= ne; e++)
				if (m ~ emode[e] && t ~ etest[e] && (!eroot[e] || uid == 0)) { if (!hit) hit = e; used[e]++ }
			r = res[t, m]
			if (r == "pass" && hit) {
				umsg[++nu] = sprintf("UNEXPECTED PASS: %s %s (on the list: %s)", m, t, eraw[hit])
			} else if (r != "pass" && !hit) {
				umsg[++nu] = sprintf("UNEXPECTED %s: %s %s (see %s/out/%s/%s.out)", toupper(r), m, t, work, m, t)
			}
			if (r != "pass" && hit) xfail[m]++
		}
	}
	for (e = 1; e <= ne; e++) {
		matched = 0
		for (i = 1; i <= nt && !matched; i++) if (tests[i] ~ etest[e]) matched = 1
		if (!matched) umsg[++nu] = sprintf("STALE ENTRY: no test matches: %s", eraw[e])
	}

	csv = work "/results.csv"
	printf "test,category" > csv
	for (j = 1; j <= nm; j++) printf ",%s", mode[j] > csv
	printf "\n" > csv
	for (i = 1; i <= nt; i++) {
		t = tests[i]; c = t; sub(/\/.*/, "", c)
		printf "%s,%s", t, c > csv
		for (j = 1; j <= nm; j++) printf ",%s", (mode[j] in na) ? "n/a" : res[t, mode[j]] > csv
		printf "\n" > csv
	}

	md = work "/report.md"
	print "# libc-test under elh" > md
	print "" > md
	printf "libc-test tree `%s`, %s, per-test timeout %s s (libc-test runtest).\n", src, elhver, timeout > md
	print "Builds: `musl` = Debian's stock musl-gcc, `-static` (the baseline);" > md
	print "`elh` = elh-musl-gcc (static).  Modes: BUILD-native runs the binary" > md
	print "directly, BUILD-systrap under `elh run --platform=systrap`, BUILD-kvm" > md
	print "under `elh run`." > md
	print "" > md
	for (j = 1; j <= nm; j++) if (mode[j] in na) printf "- %s: n/a: %s\n", mode[j], na[mode[j]] > md
	print "" > md
	print "## Passed / total" > md
	print "" > md
	hdr = "| category |"; sep = "| --- |"
	for (j = 1; j <= nm; j++) { hdr = hdr " " mode[j] " |"; sep = sep " --- |" }
	print hdr > md; print sep > md
	for (k = 1; k <= ncat + 1; k++) {
		c = (k <= ncat) ? cats[k] : "all"
		if (c != "all" && !catn[c]) continue
		line = "| " (c == "all" ? "**all**" : c) " |"
		for (j = 1; j <= nm; j++) {
			m = mode[j]
			line = line " " ((m in na) ? "n/a" : (cnt[c, m, "pass"] + 0) "/" tot[c, m]) " |"
		}
		print line > md
	}
	print "" > md
	print "## Results other than pass" > md
	print "" > md
	line = "| result |"
	for (j = 1; j <= nm; j++) line = line " " mode[j] " |"
	print line > md; print sep > md
	split("fail timeout crash nobuild", kinds, " ")
	for (k = 1; k <= 4; k++) {
		line = "| " kinds[k] " |"
		for (j = 1; j <= nm; j++) {
			m = mode[j]
			line = line " " ((m in na) ? "n/a" : cnt["all", m, kinds[k]] + 0) " |"
		}
		print line > md
	}
	line = "| expected (listed) |"
	for (j = 1; j <= nm; j++) line = line " " ((mode[j] in na) ? "n/a" : xfail[mode[j]] + 0) " |"
	print line > md
	print "" > md
	print "## Check against testsuite/libc-test/expected-failures" > md
	print "" > md
	if (nu == 0) print "Every failure is expected and every expected failure fails." > md
	for (u = 1; u <= nu; u++) print "- " umsg[u] > md
	print "" > md
	print "## Differences from the native run of the same build" > md
	print "" > md
	print "| test | mode | native | here |" > md
	print "| --- | --- | --- | --- |" > md
	for (i = 1; i <= nt; i++) {
		t = tests[i]
		for (j = 1; j <= nm; j++) {
			m = mode[j]; b = m; sub(/-.*/, "", b)
			if (m in na || m ~ /-native$/ || (b "-native") in na) continue
			if (res[t, m] != res[t, b "-native"])
				printf "| %s | %s | %s | %s |\n", t, m, res[t, b "-native"], res[t, m] > md
		}
	}
	print "" > md
	print "## Expected failures" > md
	print "" > md
	for (e = 1; e <= ne; e++) printf "- `%s` (%d): %s\n", eraw[e], used[e], ereason[e] > md
	print "" > md
	print "## Every test" > md
	print "" > md
	line = "| test |"
	for (j = 1; j <= nm; j++) line = line " " mode[j] " |"
	print line > md
	print sep > md
	for (i = 1; i <= nt; i++) {
		t = tests[i]; line = "| " t " |"
		for (j = 1; j <= nm; j++) line = line " " ((mode[j] in na) ? "n/a" : res[t, mode[j]]) " |"
		print line > md
	}

	# The summary on stdout.
	printf "\n%-12s", "passed" 
	for (j = 1; j <= nm; j++) printf " %13s", mode[j]
	printf "\n"
	for (k = 1; k <= ncat + 1; k++) {
		c = (k <= ncat) ? cats[k] : "all"
		if (c != "all" && !catn[c]) continue
		printf "%-12s", c
		for (j = 1; j <= nm; j++) {
			m = mode[j]
			printf " %13s", (m in na) ? "n/a" : (cnt[c, m, "pass"] + 0) "/" tot[c, m]
		}
		printf "\n"
	}
	for (j = 1; j <= nm; j++) if (mode[j] in na) printf "%s: n/a: %s\n", mode[j], na[mode[j]]
	for (j = 1; j <= nm; j++)
		if (!(mode[j] in na)) printf "%s: slowest test %s (%d ms)\n", mode[j], slow_t[mode[j]], slow_ms[mode[j]]
	for (u = 1; u <= nu; u++) print umsg[u]
	exit (nu > 0 || bad) ? 1 : 0
}
