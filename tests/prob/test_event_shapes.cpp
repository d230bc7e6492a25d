// join_shapes and drop_event: the shape arithmetic of samples and events (prob/stable.hpp).
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;

TEST_CASE("join_shapes puts the sample shape first; drop_event removes the last event_dims axes", "[stable][prob]") {
  CHECK(join_shapes({5, 2}, {3, 4}) == Shape{5, 2, 3, 4});
  CHECK(join_shapes({}, {3}) == Shape{3});
  CHECK(join_shapes({7}, {}) == Shape{7});
  CHECK(drop_event({2, 3, 4}, 2) == Shape{2});
  CHECK(drop_event({2, 3, 4}, 0) == Shape{2, 3, 4});
  CHECK(drop_event({2, 3}, 2) == Shape{});
  CHECK_THROWS_WITH(drop_event({2, 3}, 3), "drop_event: event_dims is 3, but must be in [0, 2] for shape (2, 3)");
  CHECK_THROWS_WITH(drop_event({2}, -1), "drop_event: event_dims is -1, but must be in [0, 1] for shape (2,)");
}
