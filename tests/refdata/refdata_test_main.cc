#define BOOST_TEST_MODULE refdata
#include <boost/test/unit_test.hpp>
