#include "app/cli.h"

int main(int argc, char** argv) { return dialtone::app::RunCli(argc, argv); }
