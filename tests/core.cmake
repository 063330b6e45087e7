# The resident's flow through a survey and the replay script parser.
bk_add_test(test_flow SOURCES ${CMAKE_SOURCE_DIR}/tests/test_flow.c LABELS core)
bk_add_test(test_replay_parse SOURCES ${CMAKE_SOURCE_DIR}/tests/test_replay_parse.c LABELS core)
