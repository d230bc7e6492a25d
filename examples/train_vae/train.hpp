// The training run of train_vae: data, model, optimiser, the epoch loop with its evaluation, and what is written
// after every epoch. main.cpp parses the flags and calls run().
#pragma once
#include <string>

#include "options.hpp"

namespace tg::app {

int run(const Options& options, const std::string& command_line);

}  // namespace tg::app
