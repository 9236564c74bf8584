#include "app/group_instance_id.h"

#include <unistd.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>

namespace segmentd {

namespace {

constexpr const char* kFileName = "group-instance-id";

std::string host_name() {
  std::array<char, 256> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0) return "host";
  std::string name(buffer.data());
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.') c = '-';
  }
  return name.empty() ? "host" : name;
}

std::string random_hex() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> digit(0, 15);
  std::string hex;
  for (int i = 0; i < 16; ++i) hex.push_back("0123456789abcdef"[digit(device)]);
  return hex;
}

}  // namespace

Status group_instance_id(const std::string& state_dir, std::string& id) {
  const std::filesystem::path path = std::filesystem::path(state_dir) / kFileName;
  if (std::ifstream in(path); in && std::getline(in, id) && !id.empty()) return Status::ok();
  id = "segmentd-" + host_name() + "-" + random_hex();
  const std::filesystem::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << id << '\n';
    if (!out.flush()) return Status::fatal("cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::fatal("cannot write " + path.string() + ": " + ec.message());
  return Status::ok();
}

}  // namespace segmentd
