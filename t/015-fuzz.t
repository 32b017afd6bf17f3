# The libFuzzer harnesses (fuzz/, built by scripts/test.sh in build-fuzz
# with clang --enable-fuzzing, ASan+UBSan+LSan): every harness named in
# fuzz/local.mk has a seed corpus, replays its regression inputs and its
# corpus, then fuzzes for a bounded time (OCH_FUZZ_SECONDS, default 6; the
# whole set stays under two minutes on two cores).  A crash, a leak, an
# undefined behaviour, a broken contract (the harness aborts) or an input
# slower than 25 s fails the test; the input is kept in the test's folder
# with the fuzzer's log, to be added to fuzz/regress/<harness>/ with the fix.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use File::Copy qw(copy);

my $src = OCH::Stack::srcdir();
my $fb = $ENV{OCH_FUZZ_BUILDDIR} // "$src/build-fuzz";
my $secs = $ENV{OCH_FUZZ_SECONDS} // 6;
my $t = OCH::Test->new;
my $dir = $t->dir;

open my $mk, '<', "$src/fuzz/local.mk" or die "fuzz/local.mk: $!";
my ($line) = grep { /^FUZZ_HARNESSES\s*=/ } <$mk>;
close $mk;
my @h = split ' ', ($line // '') =~ s/^FUZZ_HARNESSES\s*=//r;
ok(@h >= 12, scalar(@h) . ' harnesses named in fuzz/local.mk');

for my $h (@h) {
	my $bin = "$fb/fuzz/fuzz-$h";
	my @seeds = glob "$src/fuzz/corpus/$h/*";
	ok(@seeds >= 1, "$h: " . scalar(@seeds) . ' seed inputs');
	if (!-x $bin) {
		fail("$h: harness built ($bin; scripts/test.sh builds build-fuzz with clang)");
		next;
	}
	my $work = "$dir/$h";
	mkdir $work or die "$work: $!";
	mkdir "$work/new" or die;
	my @cmd = ($bin, "-max_total_time=$secs", '-timeout=25', '-rss_limit_mb=2048',
	    '-max_len=16384', '-close_fd_mask=3', '-print_final_stats=1',
	    "-artifact_prefix=$work/", "$work/new", "$src/fuzz/corpus/$h",
	    grep { -d } "$src/fuzz/regress/$h");
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDOUT, '>', "$work/log" or die;
		open STDERR, '>&', \*STDOUT or die;
		exec @cmd or die "exec $bin: $!";
	}
	waitpid($pid, 0);
	my $rc = $?;
	my @found = glob "$work/{crash,leak,timeout,oom,slow-unit}-*";
	my $log = do { local $/; open my $fh, '<', "$work/log" or die; <$fh> };
	my ($runs) = $log =~ /stat::number_of_executed_units:\s*(\d+)/;
	ok($rc == 0 && !@found, sprintf '%s: no finding in %d runs', $h, $runs // 0)
	    or diag(join "\n", "exit status $rc; inputs kept: @found", grep { defined } (split /\n/, $log)[-40 .. -1]);
	ok(($runs // 0) > @seeds, "$h: it fuzzed past its seeds");
}

done_testing;
