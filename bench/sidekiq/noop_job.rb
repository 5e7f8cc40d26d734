# The no-op job of `npm run bench -- queues`, for real Sidekiq (Debian: apt-get install ruby-sidekiq).
#
#   ruby push_bulk.rb               pushes BENCH_JOBS jobs with Sidekiq::Client.push_bulk, 1,000 a call
#   sidekiq -r ./noop_job.rb -c 10  processes them; prints "SIDEKIQ_DONE <seconds>" after the last one
#
# The clock runs from the first perform to the last, as the BullMQ side measures its Worker.
require 'sidekiq'
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)

class NoopJob
  include Sidekiq::Worker

  EXPECTED = Integer(ENV.fetch('BENCH_JOBS'))
  LOCK = Mutex.new
  @count = 0
  @first = nil

  class << self
    # Counts one finished job; the last one prints the elapsed time.
    def finished
      LOCK.synchronize do
        now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        @first ||= now
        @count += 1
        if @count == EXPECTED
          $stdout.puts "SIDEKIQ_DONE #{now - @first}"
          $stdout.flush
        end
      end
    end
  end

  def perform(_index)
    self.class.finished
  end
end
