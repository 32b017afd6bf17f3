package PhpunitTap;
# Runs one PHPUnit suite of the WHMCS module (whmcs-module/tests/phpunit.xml)
# and reports every PHPUnit test case as one TAP assertion through
# Test::More, from PHPUnit's JUnit log, so the suite's pass/fail counts
# include them.  A skipped, incomplete or risky case is reported as not ok:
# nothing turns green by skipping.  Core Perl only.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More ();

sub _unxml {
	my ($s) = @_;
	return '' unless defined $s;
	$s =~ s/&#(\d+);/chr($1)/ge;
	$s =~ s/&#x([0-9a-fA-F]+);/chr(hex $1)/ge;
	$s =~ s/&quot;/"/g;
	$s =~ s/&apos;/'/g;
	$s =~ s/&lt;/</g;
	$s =~ s/&gt;/>/g;
	$s =~ s/&amp;/&/g;
	return $s;
}

sub _attr {
	my ($attrs, $name) = @_;
	return $attrs =~ /\b$name="([^"]*)"/ ? _unxml($1) : undef;
}

# The test cases of a JUnit file: list of {name, status (pass|fail|skip),
# detail}.
sub parse_junit {
	my ($file) = @_;
	open my $fh, '<', $file or return;
	local $/;
	my $xml = <$fh>;
	close $fh;
	my @cases;
	while ($xml =~ m{<testcase\b([^>]*?)(?:/>|>(.*?)</testcase>)}gs) {
		my ($attrs, $body) = ($1, $2 // '');
		my $class = _attr($attrs, 'class') // _attr($attrs, 'classname') // '';
		my $name = _attr($attrs, 'name') // '?';
		my ($status, $detail) = ('pass', '');
		if ($body =~ m{<(failure|error)\b[^>]*>(.*?)</\1>}s || $body =~ m{<(failure|error)\b[^>]*/>}s) {
			($status, $detail) = ('fail', _unxml($2));
		} elsif ($body =~ m{<skipped\b}) {
			my $why = $body =~ m{<skipped\b[^>]*>(.*?)</skipped>}s ? _unxml($1) : '';
			($status, $detail) = ('skip', 'skipped' . (length $why ? ": $why" : ' (usually: a test it @depends on failed)')
			    . '; a skip counts as a failure here');
		}
		push @cases, { name => "${class}::$name", status => $status, detail => $detail };
	}
	return @cases;
}

# Run the suite; one ok() per test case plus one for PHPUnit's exit status.
#   run(suite => 'unit', env => {...}, dir => $tmp, srcdir => $src)
# Returns the number of failed cases.
sub run {
	my (%o) = @_;
	my $src = $o{srcdir} // $ENV{OCH_SRCDIR} // die 'OCH_SRCDIR not set';
	my $dir = $o{dir} // tempdir('och-phpunit-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	my $junit = "$dir/junit-$o{suite}.xml";
	unlink $junit;
	my @cmd = ('phpunit', '-c', "$src/whmcs-module/tests/phpunit.xml", '--testsuite', $o{suite},
	    '--log-junit', $junit, '--do-not-cache-result');
	my $out = '';
	{
		local %ENV = (%ENV, OCH_SRCDIR => $src, %{ $o{env} // {} });
		my $pid = open(my $fh, '-|');
		die "fork: $!" unless defined $pid;
		if (!$pid) {
			open STDERR, '>&', \*STDOUT;
			chdir $dir;
			exec @cmd or do { print "cannot run phpunit: $!\n"; exit 127 };
		}
		local $/;
		$out = <$fh> // '';
		close $fh;
	}
	my $rc = $? >> 8;
	my @cases = parse_junit($junit);
	my $failed = 0;
	for my $c (@cases) {
		(my $name = $c->{name}) =~ s/#/no. /g;
		Test::More::ok($c->{status} eq 'pass', "phpunit $o{suite}: $name") and next;
		$failed++;
		my @lines = split /\n/, $c->{detail};
		splice @lines, 40 if @lines > 40;
		Test::More::diag(join "\n", @lines);
	}
	Test::More::ok($rc == 0 && @cases, "phpunit --testsuite $o{suite} passed (exit $rc, " . scalar(@cases) . ' cases)')
	    or Test::More::diag(length $out > 6000 ? substr($out, -6000) : $out);
	return $failed;
}

1;
