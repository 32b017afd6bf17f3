package OCH::Test;
# The test harness: OCH::Stack in a private temp folder per test file,
# with Test::More's functions for the caller, a closing check of every log
# for sanitizer reports and nginx alerts, and cleanup at the end (the
# folder is kept, and the logs' tails printed, when a test failed or
# TEST_KEEP=1).
use strict;
use warnings;
use parent -norequire, 'OCH::Stack';
use Test::More ();
use OCH::Stack;

my @ALL;

# `use OCH::Test` gives the caller Test::More's functions too.
sub import {
	my $caller = caller;
	eval "package $caller; use Test::More; 1" or die $@;
}

sub new {
	my ($class, %o) = @_;
	my $self = OCH::Stack::new($class, %o);
	push @ALL, $self;
	return $self;
}

# Stop everything, check the logs for sanitizer reports and nginx alerts,
# and finish the plan.  Call instead of done_testing.
sub done_testing {
	my ($self, @a) = @_;
	$self->stop_all;
	my @bad = $self->log_problems;
	Test::More::ok(!@bad, 'no sanitizer report or nginx alert in the logs')
	    or Test::More::diag(join '', @bad[0 .. ($#bad < 20 ? $#bad : 20)]);
	Test::More::done_testing(@a);
}

sub _cleanup {
	my ($self) = @_;
	return if $self->{cleaned}++;
	$self->stop_all;
	my $ok = Test::More->builder->is_passing;
	if (!$ok || $ENV{TEST_KEEP}) {
		Test::More::diag("kept test folder $self->{dir}");
		if (!$ok) {
			for my $f (glob "$self->{dir}/*.log") {
				my $t = OCH::Stack::_tail($f, 15);
				Test::More::diag("--- $f\n$t") if length $t;
			}
		}
	} else {
		File::Path::remove_tree($self->{dir});
	}
}

my $OWNER = $$;
END {
	my $rc = $?;
	$_->_cleanup for $$ == $OWNER ? @ALL : ();
	$? = $rc;
}

1;
