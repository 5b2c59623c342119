from pmfit.cli.app import main

main()
