// board_sim: Verilator co-simulation harness that makes a verilated top (ports clk, rst, uart_rx_pin,
// uart_tx_pin; class Vtop, built with --prefix Vtop) a board behind a byte stream. The UART is
// simulated at the bit level: bytes read from the line are sent to uart_rx_pin as 8N1 frames at the
// line's baud (--baud, the host's rate, which may differ from the design's), and uart_tx_pin is
// sampled at mid-bit by a host-side receiver whose bytes are written back to the line.
// The line is a pty (--pty PATH: the end socat made; reopened after a line drop, the design keeps its
// state) or --stdio. The clock runs while the line is busy, while the top's optional output sim_busy is
// high, and for --grace-cycles after the last line activity or sim_busy; otherwise the simulation
// sleeps in poll() (with --idle-realtime it advances simulated time with wall time instead). On exit (SIGTERM, SIGINT,
// EOF on --stdio) it prints one JSON line on stderr: simulated cycles per wall second overall
// (cyclesPerS, idle sleep included) and while simulating (busyCyclesPerS). SIGUSR1 presses the board's
// reset: rst is held for --reset-cycles (the design loses its registers, as after a power cycle). At start the
// design runs --boot-cycles (default 0) before the line is opened: what it sends at power-up is lost, as
// on a board powered before its port is opened. On Linux it dies with the process that started it
// (SIGTERM when that one exits); --parent-pid N names that process, and if it is already gone at start
// (the parent is no longer N) the harness exits 1 saying so on stderr.
#include "Vtop.h"
#include "verilated.h"

#include <cerrno>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <termios.h>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
volatile std::sig_atomic_t g_reset = 0;
void on_reset(int) { g_reset = 1; }

// the top's optional `sim_busy` output (a design that computes without line activity raises it)
template <typename T, typename = void> struct HasSimBusy : std::false_type {};
template <typename T> struct HasSimBusy<T, std::void_t<decltype(std::declval<T&>().sim_busy)>> : std::true_type {};
template <typename T> bool top_busy(T& t) {
    if constexpr (HasSimBusy<T>::value) return t.sim_busy != 0;
    else return false;
}

struct Options {
    double clk_hz = 12e6;
    double baud = 115200;
    std::string pty;
    bool stdio = false;
    long long grace_cycles = -1;
    bool idle_realtime = false;
    int reset_cycles = 16;
    long long boot_cycles = 0;
    long parent_pid = 0;
};

// host -> design: serialises queued bytes onto uart_rx_pin, 8N1. Like a UART's bit clock, the schedule
// is continuous: bit k of a byte starts at cycle round(start + k * bit_cycles), and a byte queued
// behind another starts exactly 10 bit times after it (fractional start, no drift, no rounding per byte).
struct LineOut {
    double bit_cycles;
    std::deque<unsigned char> queue;
    bool active = false;
    double start = 0;
    unsigned long long next_edge = 0;
    int k = 0;
    int level = 1;
    unsigned char byte = 0;
    unsigned long long edge(int bit) const { return static_cast<unsigned long long>(start + bit * bit_cycles + 0.5); }
    int bit_level() const { return k == 0 ? 0 : (k == 9 ? 1 : (byte >> (k - 1)) & 1); }
    void begin(double at) {
        byte = queue.front();
        queue.pop_front();
        active = true;
        start = at;
        k = 0;
        next_edge = edge(1);
        level = 0;
    }
    int pin(unsigned long long cycle) {
        if (active && cycle >= next_edge) {
            if (++k < 10) { next_edge = edge(k + 1); level = bit_level(); }
            else if (!queue.empty()) begin(start + 10 * bit_cycles);
            else { active = false; level = 1; }
        }
        if (!active && !queue.empty()) begin(static_cast<double>(cycle));
        return level;
    }
    bool busy() const { return active || !queue.empty(); }
};

// design -> host: samples uart_tx_pin at mid-bit (start validated at mid-bit, stop checked)
struct LineIn {
    double bit_cycles;
    bool active = false;
    bool wait_high = false;
    unsigned long long start = 0, next_sample = 0;
    int next_k = 0;
    unsigned char byte = 0;
    unsigned long long framing_errors = 0;
    unsigned long long mid(int bit) const { return start + static_cast<unsigned long long>((bit + 0.5) * bit_cycles + 0.5); }
    // returns a byte (0..255) when one completes, else -1
    int sample(int pin, unsigned long long cycle) {
        if (!active) {
            if (wait_high) { if (pin) wait_high = false; return -1; }
            if (pin == 0) { active = true; start = cycle; next_k = 0; byte = 0; next_sample = mid(0); }
            return -1;
        }
        if (cycle < next_sample) return -1;
        int k = next_k++;
        next_sample = mid(next_k);
        if (k == 0) { if (pin) active = false; return -1; }
        if (k <= 8) { byte |= static_cast<unsigned char>(pin << (k - 1)); return -1; }
        active = false;
        if (!pin) { framing_errors++; wait_high = true; return -1; }
        return byte;
    }
};

void usage() {
    std::fprintf(stderr, "usage: board_sim --clk-hz N --baud B (--pty PATH | --stdio) [--grace-cycles N] [--idle-realtime] [--reset-cycles N] [--boot-cycles N] [--parent-pid N]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto val = [&]() -> std::string { if (i + 1 >= argc) usage(); return argv[++i]; };
        if (a == "--clk-hz") o.clk_hz = std::atof(val().c_str());
        else if (a == "--baud") o.baud = std::atof(val().c_str());
        else if (a == "--pty") o.pty = val();
        else if (a == "--stdio") o.stdio = true;
        else if (a == "--grace-cycles") o.grace_cycles = std::atoll(val().c_str());
        else if (a == "--idle-realtime") o.idle_realtime = true;
        else if (a == "--reset-cycles") o.reset_cycles = std::atoi(val().c_str());
        else if (a == "--boot-cycles") o.boot_cycles = std::atoll(val().c_str());
        else if (a == "--parent-pid") o.parent_pid = std::atol(val().c_str());
        else if (a.rfind("+verilator", 0) == 0) continue;
        else usage();
    }
    if (o.stdio == !o.pty.empty() || o.clk_hz <= 0 || o.baud <= 0 || o.parent_pid < 0) usage();
    if (o.grace_cycles < 0) o.grace_cycles = static_cast<long long>(24 * o.clk_hz / o.baud) + 4096;
    return o;
}

int open_pty(const std::string& path) {
    int fd = open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return -1;
    termios t{};
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

class Sim {
  public:
    Sim(const Options& o, VerilatedContext* ctx) : o_(o), top_(new Vtop{ctx}) {
        out_.bit_cycles = o.clk_hz / o.baud;
        in_.bit_cycles = o.clk_hz / o.baud;
        // power-up: the board runs (and sends whatever it announces at boot) before a host holds the line,
        // as a board plugged in before its port is opened; what it sent meanwhile is lost
        top_->uart_rx_pin = 1;
        top_->rst = 1;
        for (int i = 0; i < o.reset_cycles; i++) tick();
        top_->rst = 0;
        for (long long i = 0; i < o.boot_cycles; i++) tick();
        wbuf_.clear();
        if (o.stdio) {
            rfd_ = 0;
            wfd_ = 1;
            fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
        } else {
            rfd_ = wfd_ = open_pty(o.pty);
            if (rfd_ < 0) { std::fprintf(stderr, "board_sim: cannot open %s: %s\n", o.pty.c_str(), std::strerror(errno)); std::exit(1); }
        }
    }
    ~Sim() { top_->final(); delete top_; }

    void run() {
        t0_ = std::chrono::steady_clock::now();
        std::fprintf(stderr, "board_sim: ready clk_hz=%.0f baud=%.0f grace_cycles=%lld%s\n", o_.clk_hz, o_.baud, o_.grace_cycles,
                     HasSimBusy<Vtop>::value ? " sim_busy" : "");
        while (!g_stop && !eof_) {
            if (g_reset) press_reset();
            read_line();
            bool busy = out_.busy() || in_.active || top_busy(*top_) || cycle_ - last_activity_ < static_cast<unsigned long long>(o_.grace_cycles);
            if (busy) {
                auto b0 = std::chrono::steady_clock::now();
                for (int i = 0; i < 2048 && !g_stop; i++) tick();
                busy_cycles_ += 2048;
                busy_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count();
                if (wbuf_.size() >= 256) flush();
                continue;
            }
            flush();
            wait_idle();
        }
        // EOF on stdin: finish what the design is doing, then leave
        while (eof_ && !g_stop && (out_.busy() || in_.active || top_busy(*top_) || cycle_ - last_activity_ < static_cast<unsigned long long>(o_.grace_cycles))) tick();
        while (!wbuf_.empty() && wfd_ >= 0 && !g_stop) {
            pollfd p{wfd_, POLLOUT, 0};
            poll(&p, 1, 100);
            flush();
        }
        report();
    }

  private:
    void press_reset() {
        g_reset = 0;
        std::fprintf(stderr, "board_sim: reset at cycle %llu\n", cycle_);
        top_->rst = 1;
        for (int i = 0; i < o_.reset_cycles; i++) tick();
        top_->rst = 0;
        last_activity_ = cycle_;
    }

    void tick() {
        int pin = out_.pin(cycle_);
        top_->uart_rx_pin = pin;
        top_->clk = 0;
        top_->eval();
        top_->clk = 1;
        top_->eval();
        cycle_++;
        int tx = top_->uart_tx_pin;
        if (!pin || out_.active || !tx || in_.active || top_busy(*top_)) last_activity_ = cycle_;
        int b = in_.sample(tx, cycle_);
        if (b >= 0) {
            wbuf_.push_back(static_cast<unsigned char>(b));
            bytes_out_++;
            if (b == 0) flush();
        }
    }

    void read_line() {
        if (rfd_ < 0) { reconnect(); return; }
        unsigned char buf[4096];
        while (out_.queue.size() < (1u << 20)) {
            ssize_t n = read(rfd_, buf, sizeof buf);
            if (n > 0) {
                out_.queue.insert(out_.queue.end(), buf, buf + n);
                bytes_in_ += static_cast<unsigned long long>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            line_dropped();
            return;
        }
    }

    void line_dropped() {
        if (o_.stdio) { eof_ = true; return; }
        std::fprintf(stderr, "board_sim: line dropped at cycle %llu\n", cycle_);
        close(rfd_);
        rfd_ = wfd_ = -1;
        wbuf_.clear();
        out_.queue.clear();
    }

    void reconnect() {
        int fd = open_pty(o_.pty);
        if (fd < 0) return;
        rfd_ = wfd_ = fd;
        std::fprintf(stderr, "board_sim: line up again at cycle %llu\n", cycle_);
    }

    // writes what the line takes now; the rest waits (a host that does not read stalls nothing: beyond
    // kMaxPending bytes the oldest are dropped, as a UART's bytes are lost on a cable nobody listens to)
    void flush() {
        while (!wbuf_.empty() && wfd_ >= 0) {
            ssize_t n = write(wfd_, wbuf_.data(), wbuf_.size());
            if (n > 0) { wbuf_.erase(wbuf_.begin(), wbuf_.begin() + n); continue; }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            if (o_.stdio) { eof_ = true; wbuf_.clear(); return; }
            wbuf_.clear(); // the line dropped: what the board sends meanwhile is lost, as on a cable
            return;
        }
        if (wfd_ < 0) wbuf_.clear();
        if (wbuf_.size() > kMaxPending) {
            size_t drop = wbuf_.size() - kMaxPending;
            wbuf_.erase(wbuf_.begin(), wbuf_.begin() + static_cast<long>(drop));
            dropped_out_ += drop;
        }
    }

    void wait_idle() {
        if (rfd_ < 0) {
            usleep(20000);
            if (o_.idle_realtime) advance_idle(20);
            return;
        }
        pollfd p[2] = {{rfd_, POLLIN, 0}, {wfd_, POLLOUT, 0}};
        int ms = o_.idle_realtime ? 1 : 100;
        int r = poll(p, wbuf_.empty() ? 1 : 2, ms);
        if (r == 0 && o_.idle_realtime) advance_idle(ms);
    }

    // --idle-realtime: the design's timers see wall time pass while the line is idle
    void advance_idle(int ms) {
        auto n = static_cast<unsigned long long>(o_.clk_hz * ms / 1000.0);
        for (unsigned long long i = 0; i < n && !g_stop; i++) tick();
    }

    void report() {
        double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        std::fprintf(stderr,
                     "board_sim stats {\"cycles\":%llu,\"wallS\":%.3f,\"cyclesPerS\":%.0f,\"busyS\":%.3f,\"busyCyclesPerS\":%.0f,"
                     "\"bytesIn\":%llu,\"bytesOut\":%llu,\"bytesDropped\":%llu,\"txFramingErrors\":%llu}\n",
                     cycle_, wall, wall > 0 ? static_cast<double>(cycle_) / wall : 0.0, busy_s_,
                     busy_s_ > 0 ? static_cast<double>(busy_cycles_) / busy_s_ : 0.0, bytes_in_, bytes_out_, dropped_out_, in_.framing_errors);
    }

    Options o_;
    Vtop* top_;
    LineOut out_{};
    LineIn in_{};
    int rfd_ = -1, wfd_ = -1;
    bool eof_ = false;
    unsigned long long cycle_ = 0, last_activity_ = 0, bytes_in_ = 0, bytes_out_ = 0;
    std::vector<unsigned char> wbuf_;
    std::chrono::steady_clock::time_point t0_;
    double busy_s_ = 0;
    unsigned long long busy_cycles_ = 0;
    unsigned long long dropped_out_ = 0;
    static constexpr size_t kMaxPending = 1u << 20;
};

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGUSR1, on_reset);
#ifdef __linux__
    // the model dies with the process that started it (a killed test or CLI leaves no simulation running).
    // The death signal covers a parent that exits from now on; one that exited before prctl is seen by the
    // parent pid having changed. It is compared with --parent-pid, not with 1: the starter may itself be
    // PID 1 (Node as a container's init), and an orphan may be re-parented to a subreaper other than init.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (o.parent_pid > 0 && static_cast<long>(getppid()) != o.parent_pid) {
        std::fprintf(stderr, "board_sim: exiting: the process that started it (--parent-pid %ld) is gone (parent now %ld)\n", o.parent_pid,
                     static_cast<long>(getppid()));
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);
    auto* ctx = new VerilatedContext;
    ctx->commandArgs(argc, argv);
    {
        Sim sim(o, ctx);
        sim.run();
    }
    delete ctx;
    return 0;
}
