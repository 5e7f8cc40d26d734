# Enqueue side of the Sidekiq bench (see noop_job.rb): prints "SIDEKIQ_PUSH_BULK <seconds>".
require_relative 'noop_job'

count = NoopJob::EXPECTED
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
# Sidekiq 7 splits push_bulk into LPUSHes of 1,000 (its batch_size); 6.4 pushes whatever it is given.
(0...count).each_slice(1000) do |slice|
  Sidekiq::Client.push_bulk('class' => NoopJob, 'args' => slice.map { |index| [index] })
end
elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
$stdout.puts "SIDEKIQ_PUSH_BULK #{elapsed} #{Sidekiq::VERSION}"
