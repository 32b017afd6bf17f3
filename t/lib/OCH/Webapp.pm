package OCH::Webapp;
# What the browser tests (t/800, t/810, t/820) share about webapp/: one
# lock for installing, building and serving it (the suite runs tests in
# parallel and every browser run needs node_modules and a dist/), and
# running an npm/node command there with its output in a log.
use strict;
use warnings;
use Fcntl qw(:flock);
use Exporter 'import';
our @EXPORT_OK = qw(webapp_lock run_logged log_tail);

# Wait for, then hold until the test ends, the lock on webapp/ (t the
# OCH::Test).  Returns the handle: keep it in scope.
sub webapp_lock {
	my ($t) = @_;
	my $web = $t->src('webapp');
	open my $lock, '>', "$web/.build.lock" or die "$web/.build.lock: $!";
	flock $lock, LOCK_EX or die "flock: $!";
	return $lock;
}

# Run a command in webapp/ (at most 900 s) with its output in the test's
# folder as NAME.log; returns (ok, log text).
sub run_logged {
	my ($t, $name, @cmd) = @_;
	my $web = $t->src('webapp');
	my $log = $t->dir . "/$name.log";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		chdir $web or die "chdir $web: $!";
		open STDOUT, '>', $log or die "$log: $!";
		open STDERR, '>&', \*STDOUT or die;
		$ENV{CI} = '1';
		$ENV{NO_COLOR} = '1';
		exec 'timeout', '900', @cmd or die "exec @cmd: $!";
	}
	waitpid $pid, 0;
	my $rc = $?;
	open my $fh, '<', $log or die "$log: $!";
	local $/;
	my $text = <$fh> // '';
	return ($rc == 0, $text);
}

# The last 31 lines of a log text, for a diagnostic.
sub log_tail { my ($s) = @_; my @l = split /\n/, $s; join("\n", @l[($#l > 30 ? $#l - 30 : 0) .. $#l]) }

1;
