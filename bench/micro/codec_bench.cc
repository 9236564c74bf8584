// The member codec: encoding and decoding (with validation) of a typical member record,
// the daily sweep's decode of its figures,
// and its digest (every commit and every read from the store digests the record), beside
// the older digest that state dirs from before checkpoint format 3 are checked with.
#include <benchmark/benchmark.h>

#include "bench/micro/bench_data.h"
#include "state/member_codec.h"

namespace segmentd::bench {
namespace {

void BM_EncodeMember(benchmark::State& state) {
  const MemberState member = typical_member(static_cast<std::uint32_t>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode_member(out, member);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_EncodeMember)->Arg(3)->Arg(32);

void BM_DecodeMember(benchmark::State& state) {
  std::string bytes;
  encode_member(bytes, typical_member(static_cast<std::uint32_t>(state.range(0))));
  MemberState decoded;
  for (auto _ : state) {
    decoded = MemberState{};
    const bool ok = decode_member(bytes, decoded);
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodeMember)->Arg(3)->Arg(32);

// What the daily sweep decodes of a member held encoded or read back (its figures), into
// a state reused from one record to the next as the cache's scratch state is.
void BM_DecodeMemberFigures(benchmark::State& state) {
  std::string bytes;
  encode_member(bytes, typical_member(static_cast<std::uint32_t>(state.range(0))));
  MemberState decoded;
  for (auto _ : state) {
    const bool ok = decode_member_figures(bytes, decoded);
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodeMemberFigures)->Arg(3)->Arg(32);

// Arg: the dedupe ring's event ids (3: a new member, 32: a full default ring).
template <std::uint64_t (*Digest)(std::string_view, std::string_view)>
void BM_Digest(benchmark::State& state) {
  std::string bytes;
  encode_member(bytes, typical_member(static_cast<std::uint32_t>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(Digest("m0000123456", bytes));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Digest<record_digest>)->Name("BM_RecordDigest")->Arg(3)->Arg(32);
BENCHMARK(BM_Digest<legacy_record_digest>)->Name("BM_LegacyRecordDigest")->Arg(3)->Arg(32);

}  // namespace
}  // namespace segmentd::bench
